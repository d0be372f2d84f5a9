import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/** 32 random bytes: the cookie's value. Only its SHA-256 is stored (as for API keys). */
export const generateSessionSecret = (): string => randomBytes(32).toString('base64url');

export const hashSessionId = (id: string): string => createHash('sha256').update(id, 'utf8').digest('hex');

/** Equal in constant time (two tokens of different length are simply unequal). */
export function tokensEqual(given: string, expected: string): boolean {
  const a = Buffer.from(given, 'utf8');
  const b = Buffer.from(expected, 'utf8');
  return a.length === b.length && timingSafeEqual(a, b);
}
