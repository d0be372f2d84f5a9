import { createHmac, timingSafeEqual } from 'node:crypto';
import type { MessagingContext } from '../services/service-context.ts';
import type { NoticeLinks } from './notice-catalogue.ts';

/**
 * Signed links in notices: whoever holds one may do this one thing to this one subscription until
 * it expires, without an account. The token is `{claims}.{signature}`, both base64url: the claims
 * are 22 bytes (format version, purpose, the subscription's uuid, expiry in epoch seconds), the
 * signature the first 16 bytes of an HMAC-SHA256 over the encoded claims. Short on purpose: the
 * link goes into SMS texts, where every character counts (53 characters in all). The purpose is
 * inside what is signed, so a payment-method link can never be turned into a cancel link.
 */
export type LinkPurpose = 'cancel' | 'payment_method' | 'portal';

export type LinkClaims = { purpose: LinkPurpose; subscriptionId: string; expiresAt: Date };

export type LinkTokenCheck =
  | { ok: true; subscriptionId: string; expiresAt: Date }
  | { ok: false; reason: 'malformed' | 'bad-signature' | 'expired' | 'wrong-purpose' };

/** How long the links of one notice work: past the 7-day reminder, a renewal and some dunning. */
export const LINK_VALIDITY_DAYS = 60;

const DAY_MS = 86_400_000;
const FORMAT_VERSION = 1;
const CLAIMS_BYTES = 22;
const SIGNATURE_BYTES = 16;
const PURPOSE_CODES: Record<LinkPurpose, number> = { cancel: 1, payment_method: 2, portal: 3 };
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const SEGMENT = /^[A-Za-z0-9_-]+$/;
// Longer than any token recur makes; a longer string is not parsed at all.
const MAX_TOKEN_LENGTH = 256;

const sign = (secret: string, encodedClaims: string): string =>
  createHmac('sha256', secret).update(`recur-link.${encodedClaims}`).digest().subarray(0, SIGNATURE_BYTES).toString('base64url');

/** The claims part of a token (exported for tests that forge one with another signature). */
export function encodeLinkClaims(claims: LinkClaims): string {
  if (!UUID.test(claims.subscriptionId)) throw new Error(`a link token names a subscription by its uuid, not "${claims.subscriptionId}"`);
  const expiresSeconds = Math.floor(claims.expiresAt.getTime() / 1000);
  if (!Number.isSafeInteger(expiresSeconds) || expiresSeconds < 0 || expiresSeconds > 0xffffffff) throw new Error('a link token needs a valid expiry');
  const bytes = Buffer.alloc(CLAIMS_BYTES);
  bytes.writeUInt8(FORMAT_VERSION, 0);
  bytes.writeUInt8(PURPOSE_CODES[claims.purpose], 1);
  Buffer.from(claims.subscriptionId.replace(/-/g, ''), 'hex').copy(bytes, 2);
  bytes.writeUInt32BE(expiresSeconds, 18);
  return bytes.toString('base64url');
}

export function signLinkToken(secret: string, claims: LinkClaims): string {
  if (secret.length === 0) throw new Error('a link token needs a signing secret');
  const encoded = encodeLinkClaims(claims);
  return `${encoded}.${sign(secret, encoded)}`;
}

/**
 * Checks a token for one purpose at `now`. The signature is checked before anything the claims
 * say is believed; it is compared in constant time, as text (so no second spelling of one
 * signature is accepted). `secrets`: the current key first, then the one it replaced (a link
 * sent before the rotation works until it expires).
 */
export function verifyLinkToken(secrets: string | readonly string[], token: string, purpose: LinkPurpose, now: Date): LinkTokenCheck {
  if (token.length > MAX_TOKEN_LENGTH) return { ok: false, reason: 'malformed' };
  const parts = token.split('.');
  if (parts.length !== 2 || !parts.every((part) => SEGMENT.test(part))) return { ok: false, reason: 'malformed' };
  const [encoded, signature] = parts as [string, string];
  const given = Buffer.from(signature, 'utf8');
  const signedBy = (secret: string) => {
    const expected = Buffer.from(sign(secret, encoded), 'utf8');
    return given.length === expected.length && timingSafeEqual(given, expected);
  };
  if (!(typeof secrets === 'string' ? [secrets] : secrets).some(signedBy)) return { ok: false, reason: 'bad-signature' };
  const claims = decodeClaims(encoded);
  if (!claims) return { ok: false, reason: 'malformed' };
  if (claims.purpose !== purpose) return { ok: false, reason: 'wrong-purpose' };
  if (now.getTime() >= claims.expiresAt.getTime()) return { ok: false, reason: 'expired' };
  return { ok: true, subscriptionId: claims.subscriptionId, expiresAt: claims.expiresAt };
}

function decodeClaims(encoded: string): LinkClaims | null {
  const bytes = Buffer.from(encoded, 'base64url');
  if (bytes.length !== CLAIMS_BYTES || bytes.toString('base64url') !== encoded || bytes.readUInt8(0) !== FORMAT_VERSION) return null;
  const purpose = (Object.keys(PURPOSE_CODES) as LinkPurpose[]).find((name) => PURPOSE_CODES[name] === bytes.readUInt8(1));
  if (!purpose) return null;
  const hex = bytes.subarray(2, 18).toString('hex');
  const subscriptionId = `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
  return { purpose, subscriptionId, expiresAt: new Date(bytes.readUInt32BE(18) * 1000) };
}

/** When a link with this expiry was issued, to the second: every notice link is valid LINK_VALIDITY_DAYS. */
export function linkIssuedAt(expiresAt: Date): Date {
  return new Date(expiresAt.getTime() - LINK_VALIDITY_DAYS * DAY_MS);
}

/**
 * Whether a cancel link was issued before the subscription's last resume, so no longer applies.
 * Whole seconds (a token carries no finer time): a resume in the second the link was issued, as
 * when a notice is written in the resume's own transaction, leaves the link working.
 */
export function isIssuedBeforeResume(expiresAt: Date, resumedAt: Date | null): boolean {
  if (!resumedAt) return false;
  return Math.floor(resumedAt.getTime() / 1000) > Math.floor(linkIssuedAt(expiresAt).getTime() / 1000);
}

/**
 * The cancel and fix-the-card links of one notice, valid for 60 days from `from` (the row's
 * creation, so a row renders the same links every time). The expiry also tells when a link was
 * issued: a cancel link issued before the subscription's last resume no longer applies.
 */
export function makeNoticeLinks(messaging: Pick<MessagingContext, 'publicBaseUrl' | 'linkSecret'>, subscriptionId: string, from: Date): NoticeLinks {
  const expiresAt = new Date(from.getTime() + LINK_VALIDITY_DAYS * DAY_MS);
  const link = (path: string, purpose: LinkPurpose) => `${messaging.publicBaseUrl}/links/${path}?token=${signLinkToken(messaging.linkSecret, { purpose, subscriptionId, expiresAt })}`;
  return { cancel: link('cancel', 'cancel'), payment_method: link('payment-method', 'payment_method'), portal: link('portal', 'portal') };
}
