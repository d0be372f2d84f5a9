import { createHmac, timingSafeEqual } from 'node:crypto';
import type { MessagingContext } from '../services/service-context.ts';
import type { NoticeLinks } from './notice-catalogue.ts';

/**
 * Signed links in notices: whoever holds one may do this one thing to this one subscription until
 * it expires, without an account. The token is `{payload}.{signature}`: the payload is base64url
 * JSON (purpose, subscription, expiry in epoch milliseconds), the signature HMAC-SHA256 over the
 * payload's text, base64url. The purpose is inside what is signed, so a payment-method link can
 * never be turned into a cancel link.
 */
export type LinkPurpose = 'cancel' | 'payment_method';

export type LinkClaims = { purpose: LinkPurpose; subscriptionId: string; expiresAt: Date };

export type LinkTokenCheck =
  | { ok: true; subscriptionId: string; expiresAt: Date }
  | { ok: false; reason: 'malformed' | 'bad-signature' | 'expired' | 'wrong-purpose' };

/** How long the links of one notice work: past the 7-day reminder, a renewal and some dunning. */
export const LINK_VALIDITY_DAYS = 60;

const DAY_MS = 86_400_000;
const PURPOSES: readonly LinkPurpose[] = ['cancel', 'payment_method'];
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const SEGMENT = /^[A-Za-z0-9_-]+$/;
// Longer than any token recur makes; a longer string is not parsed at all.
const MAX_TOKEN_LENGTH = 512;

type Payload = { p: LinkPurpose; s: string; e: number };

const sign = (secret: string, encodedPayload: string): string => createHmac('sha256', secret).update(encodedPayload).digest('base64url');

export function signLinkToken(secret: string, claims: LinkClaims): string {
  if (secret.length === 0) throw new Error('a link token needs a signing secret');
  if (!UUID.test(claims.subscriptionId)) throw new Error(`a link token names a subscription by its uuid, not "${claims.subscriptionId}"`);
  const expiresMs = claims.expiresAt.getTime();
  if (!Number.isSafeInteger(expiresMs)) throw new Error('a link token needs a valid expiry');
  const payload: Payload = { p: claims.purpose, s: claims.subscriptionId.toLowerCase(), e: expiresMs };
  const encoded = Buffer.from(JSON.stringify(payload), 'utf8').toString('base64url');
  return `${encoded}.${sign(secret, encoded)}`;
}

/**
 * Checks a token for one purpose at `now`. The signature is checked before anything the payload
 * says is believed; it is compared in constant time, as text (so no second spelling of one
 * signature is accepted).
 */
export function verifyLinkToken(secret: string, token: string, purpose: LinkPurpose, now: Date): LinkTokenCheck {
  if (token.length > MAX_TOKEN_LENGTH) return { ok: false, reason: 'malformed' };
  const parts = token.split('.');
  if (parts.length !== 2 || !parts.every((part) => SEGMENT.test(part))) return { ok: false, reason: 'malformed' };
  const [encoded, signature] = parts as [string, string];
  const expected = Buffer.from(sign(secret, encoded), 'utf8');
  const given = Buffer.from(signature, 'utf8');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return { ok: false, reason: 'bad-signature' };
  const payload = parsePayload(encoded);
  if (!payload) return { ok: false, reason: 'malformed' };
  if (payload.p !== purpose) return { ok: false, reason: 'wrong-purpose' };
  if (now.getTime() >= payload.e) return { ok: false, reason: 'expired' };
  return { ok: true, subscriptionId: payload.s, expiresAt: new Date(payload.e) };
}

function parsePayload(encoded: string): Payload | null {
  try {
    const value = JSON.parse(Buffer.from(encoded, 'base64url').toString('utf8')) as Partial<Payload> | null;
    if (!value || typeof value !== 'object') return null;
    const { p, s, e } = value;
    if (!PURPOSES.includes(p as LinkPurpose) || typeof s !== 'string' || !UUID.test(s) || !Number.isSafeInteger(e)) return null;
    return { p: p as LinkPurpose, s, e: e as number };
  } catch {
    return null;
  }
}

/** The cancel and fix-the-card links of one notice, made when it is sent and valid for 60 days. */
export function makeNoticeLinks(messaging: Pick<MessagingContext, 'publicBaseUrl' | 'linkSecret'>, subscriptionId: string, now: Date): NoticeLinks {
  const expiresAt = new Date(now.getTime() + LINK_VALIDITY_DAYS * DAY_MS);
  const link = (path: string, purpose: LinkPurpose) =>
    `${messaging.publicBaseUrl}/links/${path}?token=${encodeURIComponent(signLinkToken(messaging.linkSecret, { purpose, subscriptionId, expiresAt }))}`;
  return { cancel: link('cancel', 'cancel'), payment_method: link('payment-method', 'payment_method') };
}
