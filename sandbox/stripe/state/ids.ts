import { randomBytes } from 'node:crypto';

const ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

// One system call per 64 KiB of randomness instead of one per id: a 400-day run makes a lot of ids.
let pool = Buffer.alloc(0);
let offset = 0;

/** Random base62 text, as in Stripe's ids and secrets. */
export function randomBase62(length: number): string {
  if (offset + length > pool.length) {
    pool = randomBytes(Math.max(65_536, length));
    offset = 0;
  }
  let text = '';
  for (let i = 0; i < length; i++) text += ALPHABET[pool[offset + i]! % ALPHABET.length];
  offset += length;
  return text;
}

/** `cus_…`, `sub_…`: Stripe's prefixes with 24 random characters (checkout sessions: `cs_test_` and 58). */
export function newId(prefix: string, length = 24): string {
  return `${prefix}_${randomBase62(length)}`;
}

export function newWebhookSecret(): string {
  return `whsec_${randomBase62(32)}`;
}
