import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';

export type SigningSecretSealer = {
  seal(secret: string): string;
  /** Throws when the text was sealed under neither key (the link-signing key changed without LINK_SIGNING_SECRET_PREVIOUS). */
  open(sealed: string): string;
  /** Whether the text was sealed under the current key (false: under the previous one, to seal again). */
  sealedUnderCurrentKey(sealed: string): boolean;
};

const VERSION = 'v1';

/**
 * AES-256-GCM under a key derived (HKDF-SHA256) from the link-signing key, which lives in the
 * environment or a 0600 file, never in the database: a dump of the endpoints table alone gives no
 * signing secret away. The endpoint's id is not bound in: a sealed secret is only ever read back
 * for its own row, and rotation moves the sealed text between columns of that row.
 */
export function createSigningSecretSealer(linkKey: string, previousLinkKey: string | null = null): SigningSecretSealer {
  const key = sealingKey(linkKey);
  const previous = previousLinkKey ? sealingKey(previousLinkKey) : null;
  return {
    seal(secret) {
      const iv = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', key, iv);
      const body = Buffer.concat([cipher.update(secret, 'utf8'), cipher.final()]);
      return [VERSION, iv.toString('base64url'), body.toString('base64url'), cipher.getAuthTag().toString('base64url')].join('.');
    },
    open(sealed) {
      const opened = openUnder(key, sealed);
      if (opened !== null) return opened;
      const old = previous ? openUnder(previous, sealed) : null;
      if (old === null) throw new Error('the signing secret was sealed under another link-signing key');
      return old;
    },
    sealedUnderCurrentKey: (sealed) => openUnder(key, sealed) !== null,
  };
}

const sealingKey = (linkKey: string) => Buffer.from(hkdfSync('sha256', linkKey, 'recur', 'webhook endpoint signing secrets', 32));

/** The secret, or null when the text was sealed under another key (its tag does not verify). */
function openUnder(key: Buffer, sealed: string): string | null {
  const [version, iv, body, tag] = sealed.split('.');
  if (version !== VERSION || !iv || !body || !tag) throw new Error('not a sealed signing secret');
  const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url'));
  decipher.setAuthTag(Buffer.from(tag, 'base64url'));
  try {
    return Buffer.concat([decipher.update(Buffer.from(body, 'base64url')), decipher.final()]).toString('utf8');
  } catch {
    return null;
  }
}

/** A new Standard Webhooks secret: `whsec_` and 32 random bytes in base64. */
export const generateSigningSecret = (): string => `whsec_${randomBytes(32).toString('base64')}`;
