import { createHmac } from 'node:crypto';

/**
 * Stripe's webhook signature: `t=<unix seconds>,v1=<hex HMAC-SHA256 of "t.payload" keyed by the
 * endpoint secret>`. The sandbox signs with its own clock, so a receiver that checks the age of
 * the signature must compare it with the sandbox time (the SDK's `receivedAt`), not the wall clock.
 */
export function signatureHeader(payload: string, secret: string, timestampSeconds: number): string {
  const signature = createHmac('sha256', secret).update(`${timestampSeconds}.${payload}`, 'utf8').digest('hex');
  return `t=${timestampSeconds},v1=${signature}`;
}
