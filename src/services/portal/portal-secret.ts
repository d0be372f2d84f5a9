import { createHash, randomBytes } from 'node:crypto';

/**
 * The secrets of the portal (a link's token, a browser session's id): 32 random bytes, base64url.
 * Only their SHA-256 is stored; a plain hash is enough for 256 random bits (nothing to guess), and
 * it lets recur find the row by the hash alone.
 */
export const newPortalSecret = (): string => randomBytes(32).toString('base64url');

export const hashPortalSecret = (secret: string): string => createHash('sha256').update(secret, 'utf8').digest('hex');

/** Longer than any secret recur makes: a longer value is refused without a query. */
export const PORTAL_SECRET_MAX_LENGTH = 64;
