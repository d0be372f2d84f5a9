import { readFileSync } from 'node:fs';
import Stripe from 'stripe';

const fixtures = JSON.parse(readFileSync(new URL('../../test/reference/stripe/fixtures3.json', import.meta.url), 'utf8')) as { resources: Record<string, Record<string, unknown>> };

export type SignedEvent = { body: string; signature: string };

/**
 * N distinct `invoice.paid` events with Stripe's own invoice sample as the object (a few KB, as
 * real ones are), signed as Stripe signs them at `now`. Built before the clock starts, so signing
 * cost is not part of what is measured.
 */
export function signedInvoiceEvents(count: number, secret: string, prefix: string, now = new Date()): SignedEvent[] {
  const invoice = fixtures.resources['invoice']!;
  const timestamp = Math.floor(now.getTime() / 1000);
  return Array.from({ length: count }, (_, index) => {
    const id = `evt_bench_${prefix}_${index}`;
    const body = JSON.stringify({
      id,
      object: 'event',
      api_version: Stripe.API_VERSION,
      created: timestamp,
      type: 'invoice.paid',
      livemode: false,
      pending_webhooks: 1,
      request: { id: null, idempotency_key: null },
      data: { object: { ...invoice, id: `in_bench_${prefix}_${index}` } },
    });
    return { body, signature: Stripe.webhooks.generateTestHeaderString({ payload: body, secret, timestamp }) };
  });
}

/**
 * The body of one `customer.subscription.updated` event with Stripe's own subscription sample as
 * the object (about 4 KB), unique by `sequence`; sign it with `signStripeBody`.
 */
export function subscriptionUpdatedBody(prefix: string, sequence: number, createdSeconds: number): string {
  const subscription = fixtures.resources['subscription']!;
  return JSON.stringify({
    id: `evt_bench_${prefix}_${sequence}`,
    object: 'event',
    api_version: Stripe.API_VERSION,
    created: createdSeconds,
    type: 'customer.subscription.updated',
    livemode: false,
    pending_webhooks: 1,
    request: { id: null, idempotency_key: null },
    data: { object: { ...subscription, id: `sub_bench_${prefix}_${sequence % 500}` }, previous_attributes: { status: 'trialing' } },
  });
}

/** The `Stripe-Signature` header Stripe would send with `body` at `timestampSeconds`. */
export function signStripeBody(body: string, secret: string, timestampSeconds: number): string {
  return Stripe.webhooks.generateTestHeaderString({ payload: body, secret, timestamp: timestampSeconds });
}
