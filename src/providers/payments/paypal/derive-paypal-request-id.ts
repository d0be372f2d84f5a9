import { createHash } from 'node:crypto';

/** PayPal's longest accepted PayPal-Request-Id (Orders v2's `maxLength`; the other APIs take at least as long). */
export const PAYPAL_REQUEST_ID_MAX_LENGTH = 108;
const PLAIN_PART = /^[A-Za-z0-9._-]+$/;

/**
 * The PayPal-Request-Id of one business operation, e.g. `['refund', paymentId]` ->
 * `recur:refund:<paymentId>`: the same operation always sends the same id, so PayPal answers a
 * retry (ours, or one after a crash) with the first result instead of acting twice. Parts that are
 * too long together, or hold characters other than letters, digits, `.`, `_` and `-` (a `:` inside
 * a part would make two operations look alike), are hashed: still deterministic, within the limit.
 */
export function derivePaypalRequestId(parts: readonly string[]): string {
  if (parts.length === 0) throw new RangeError('a PayPal request id needs at least the operation');
  const plain = `recur:${parts.join(':')}`;
  if (plain.length <= PAYPAL_REQUEST_ID_MAX_LENGTH && parts.every((part) => PLAIN_PART.test(part))) return plain;
  const operation = PLAIN_PART.test(parts[0]!) ? parts[0]!.slice(0, 48) : 'op';
  const digest = createHash('sha256').update(JSON.stringify(parts)).digest('base64url');
  return `recur:${operation}:${digest}`;
}
