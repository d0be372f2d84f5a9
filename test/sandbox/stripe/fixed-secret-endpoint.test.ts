import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { flushWebhooks, startReceiver, startStripe, type StripeKit, type WebhookReceiver } from './stripe-kit.ts';

// A service told the sandbox's fixed secret before it knows its own port registers its endpoint
// here once it listens (what a key-less `recur start` does).
describe('POST /sandbox/stripe/webhook-endpoints', () => {
  let kit: StripeKit;
  let receiver: WebhookReceiver;
  let fixedSecret = '';
  const register = (body: unknown) =>
    fetch(`${kit.sandbox.url}/sandbox/stripe/webhook-endpoints`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

  beforeAll(async () => {
    kit = await startStripe();
    fixedSecret = (kit.sandbox.describe().providers as { stripe: { webhookSecret: string } }).stripe.webhookSecret;
    receiver = await startReceiver(kit.sandbox, () => fixedSecret, kit.stripe);
  });
  afterAll(async () => {
    await receiver.close();
    await kit.stop();
  });

  it('registers an endpoint signed with the fixed secret, once per URL', async () => {
    const first = await register({ url: receiver.url });
    expect(first.status).toBe(201);
    const again = await register({ url: receiver.url });
    expect(again.status).toBe(200);
    expect(((await again.json()) as { id: string }).id).toBe(((await first.json()) as { id: string }).id);
    expect((await kit.stripe.webhookEndpoints.list()).data.map((endpoint) => endpoint.url)).toEqual([receiver.url]);

    await kit.stripe.customers.create({ email: 'fixed@example.nl' });
    await flushWebhooks(kit.sandbox);
    // The receiver verifies every delivery with the fixed secret; an unverified one is not kept.
    expect(receiver.types()).toEqual(['customer.created']);
  });

  it.each([{}, { url: 'not a url' }, { url: 'http://127.0.0.1:9/x', enabledEvents: [] }, { url: 'http://127.0.0.1:9/x', extra: true }])(
    'refuses %o with 400 and registers nothing',
    async (body) => {
      const before = (await kit.stripe.webhookEndpoints.list()).data.length;
      const response = await register(body);
      expect(response.status).toBe(400);
      expect(((await response.json()) as { error: { code: string } }).error.code).toBe('invalid_request');
      expect((await kit.stripe.webhookEndpoints.list()).data.length).toBe(before);
    },
  );
});
