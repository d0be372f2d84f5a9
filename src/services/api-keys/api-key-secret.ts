import { createHash, randomBytes } from 'node:crypto';

const KEY_PREFIX = 'rk_';

/** 32 random bytes: far too much entropy to guess, so a plain SHA-256 is a safe stored form. */
export function generateApiKey(): { key: string; keyPrefix: string; keyHash: string } {
  const key = KEY_PREFIX + randomBytes(32).toString('base64url');
  return { key, keyPrefix: key.slice(0, KEY_PREFIX.length + 6), keyHash: hashApiKey(key) };
}

export function hashApiKey(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}

export const looksLikeApiKey = (value: string): boolean => /^rk_[A-Za-z0-9_-]{43}$/.test(value);
