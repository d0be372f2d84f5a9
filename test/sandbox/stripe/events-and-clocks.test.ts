import Stripe from 'stripe';
import { afterEach, describe, expect, it } from 'vitest';
import { advanceDays, flushWebhooks, sdk, startReceiver, startStripe, type StripeKit } from './stripe-kit.ts';

const day = (seconds: number) => new Date(seconds * 1000).toISOString().slice(0, 10);

describe('events, webhook endpoints and test clocks', () => {
  let kit: StripeKit;
  afterEach(() => kit.stop());

  it('creates webhook endpoints that show their secret once, and signs deliveries with it', async () => {
    kit = await startStripe();
    const { stripe } = kit;
    let secret = '';
    const receiver = await startReceiver(kit.sandbox, () => secret, stripe);
    const endpoint = await stripe.webhookEndpoints.create({ url: receiver.url, enabled_events: ['customer.created'], description: 'recur' });
    secret = endpoint.secret!;
    expect(secret).toMatch(/^whsec_/);
    expect((await stripe.webhookEndpoints.retrieve(endpoint.id)).secret).toBeUndefined();
    expect((await stripe.webhookEndpoints.list()).data.map((e) => e.id)).toEqual([endpoint.id]);
    await stripe.customers.create({ email: 'signed@example.nl' });
    await stripe.products.create({ name: 'not subscribed to' });
    await flushWebhooks(kit.sandbox);
    expect(receiver.types()).toEqual(['customer.created']);
    const [delivery] = receiver.deliveries;
    expect(delivery!.headers['stripe-signature']).toMatch(/^t=\d+,v1=[0-9a-f]{64}$/);
    expect(() => stripe.webhooks.constructEvent(delivery!.body, String(delivery!.headers['stripe-signature']), 'whsec_forged', 300, undefined, kit.sandbox.ctx.clock.now().getTime())).toThrow(Stripe.errors.StripeSignatureVerificationError);
    expect(delivery!.event).toMatchObject({ object: 'event', api_version: Stripe.API_VERSION, livemode: false, request: { id: expect.stringMatching(/^req_/), idempotency_key: expect.stringMatching(/^stripe-node-retry-/) } });
    await stripe.webhookEndpoints.update(endpoint.id, { enabled_events: ['*'], disabled: true });
    await stripe.customers.create({});
    await flushWebhooks(kit.sandbox);
    expect(receiver.deliveries).toHaveLength(1);
    expect(await stripe.webhookEndpoints.del(endpoint.id)).toMatchObject({ deleted: true });
    await receiver.close();
  });

  it('lists and retrieves events of the last 30 days, with type filters and previous_attributes', async () => {
    kit = await startStripe();
    const { stripe } = kit;
    const old = await stripe.customers.create({ name: 'Old' });
    await advanceDays(kit.sandbox, 31);
    const customer = await stripe.customers.create({ name: 'New' });
    await stripe.customers.update(customer.id, { email: 'new@example.nl' });
    const events = await stripe.events.list({ type: 'customer.*' });
    expect(events.data.map((e) => e.type)).toEqual(['customer.updated', 'customer.created']);
    expect(events.data[0]!.data.previous_attributes).toEqual({ email: null });
    expect((await stripe.events.list({ created: { gte: kit.sandbox.ctx.clock.nowSeconds() } })).data).toHaveLength(2);
    const event = await stripe.events.retrieve(events.data[1]!.id);
    expect(event).toMatchObject({ type: 'customer.created', pending_webhooks: 0, data: { object: { id: customer.id } } });
    expect(JSON.stringify(await stripe.events.list({ limit: 100 }))).not.toContain(old.id);
  });

  it('moves customers made with a test clock on that clock only (advancing -> ready)', async () => {
    kit = await startStripe();
    const { stripe } = kit;
    const now = kit.sandbox.ctx.clock.nowSeconds();
    const clock = await stripe.testHelpers.testClocks.create({ frozen_time: now, name: 'renewal test' });
    expect(clock).toMatchObject({ status: 'ready', frozen_time: now, deletes_after: now + 30 * 86_400 });
    const price = await stripe.prices.create({ currency: 'eur', unit_amount: 1500, recurring: { interval: 'month' }, product_data: { name: 'Clocked' } });
    const onClock = await stripe.customers.create({ test_clock: clock.id, payment_method: 'pm_card_visa', invoice_settings: { default_payment_method: 'pm_card_visa' } });
    const onShared = await stripe.customers.create({ payment_method: 'pm_card_visa', invoice_settings: { default_payment_method: 'pm_card_visa' } });
    const clocked = await stripe.subscriptions.create({ customer: onClock.id, items: [{ price: price.id }] });
    const shared = await stripe.subscriptions.create({ customer: onShared.id, items: [{ price: price.id }] });
    expect(clocked.test_clock).toBe(clock.id);

    const advancing = await stripe.testHelpers.testClocks.advance(clock.id, { frozen_time: now + 65 * 86_400 });
    expect(advancing).toMatchObject({ status: 'advancing', frozen_time: now + 65 * 86_400 });
    expect(await stripe.testHelpers.testClocks.retrieve(clock.id)).toMatchObject({ status: 'ready' });
    const clockedInvoices = await stripe.invoices.list({ subscription: clocked.id });
    expect(clockedInvoices.data.map((i) => day(i.created)).reverse()).toEqual(['2026-01-01', '2026-02-01', '2026-03-01']);
    expect(clockedInvoices.data.every((i) => i.status === 'paid' && i.test_clock === clock.id)).toBe(true);
    expect((await stripe.invoices.list({ subscription: shared.id })).data).toHaveLength(1);
    expect(kit.sandbox.ctx.clock.nowSeconds()).toBe(now);
    await expect(stripe.testHelpers.testClocks.advance(clock.id, { frozen_time: now })).rejects.toMatchObject({ statusCode: 400 });

    await advanceDays(kit.sandbox, 32);
    expect((await stripe.invoices.list({ subscription: shared.id })).data).toHaveLength(2);
    expect((await stripe.invoices.list({ subscription: clocked.id })).data).toHaveLength(3);
    expect((await stripe.testHelpers.testClocks.list()).data.map((c) => c.id)).toEqual([clock.id]);
    expect(await stripe.testHelpers.testClocks.del(clock.id)).toMatchObject({ deleted: true });
    await expect(stripe.customers.retrieve(onClock.id)).resolves.toMatchObject({ deleted: true });
  });

  it('resets everything on POST /sandbox/reset, keeping configured endpoints', async () => {
    kit = await startStripe({ webhookEndpoints: [{ url: 'http://127.0.0.1:9/hook' }] });
    const { stripe } = kit;
    await stripe.customers.create({});
    expect(kit.sandbox.describe()).toMatchObject({ providers: { stripe: { apiKey: 'sk_test_recur_sandbox', webhookSecret: expect.stringMatching(/^whsec_/), webhookEndpoints: [{ url: 'http://127.0.0.1:9/hook' }] } } });
    await fetch(`${kit.sandbox.url}/sandbox/reset`, { method: 'POST' });
    expect((await stripe.customers.list()).data).toHaveLength(0);
    expect((await stripe.webhookEndpoints.list()).data).toHaveLength(1);
    const settings = await fetch(`${kit.sandbox.url}/sandbox/stripe/settings`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ afterFinalFailure: 'unpaid' }) });
    expect(await settings.json()).toMatchObject({ afterFinalFailure: 'unpaid', retryScheduleDays: [3, 5, 7] });
    expect(sdk(kit.sandbox)).toBeInstanceOf(Stripe);
  });
});
