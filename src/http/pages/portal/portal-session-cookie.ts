import { createHmac, timingSafeEqual } from 'node:crypto';
import type { CookieSerializeOptions } from '@fastify/cookie';

/** The portal's session cookie: only sent to /portal, never to scripts, not on cross-site posts. */
export const PORTAL_COOKIE = 'recur_portal';

export function portalCookieOptions(publicBaseUrl: string, expiresAt: Date): CookieSerializeOptions {
  return { path: '/portal', httpOnly: true, sameSite: 'lax', secure: publicBaseUrl.startsWith('https:'), expires: expiresAt };
}

/**
 * The CSRF token of a session's forms: an HMAC keyed by the session's own (secret) id, so it is
 * bound to that one session, needs no storage, and no other session's token ever fits.
 */
export const csrfTokenOf = (sessionId: string): string => createHmac('sha256', sessionId).update('recur-portal-csrf').digest('base64url');

export function isCsrfTokenOf(sessionId: string, given: unknown): boolean {
  if (typeof given !== 'string') return false;
  const expected = Buffer.from(csrfTokenOf(sessionId), 'utf8');
  const actual = Buffer.from(given, 'utf8');
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}
