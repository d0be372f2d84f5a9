import Stripe from 'stripe';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sdk, startStripe, type StripeKit } from './stripe-kit.ts';

describe('Stripe sandbox wire format, through the official SDK', () => {
  let kit: StripeKit;
  let stripe: Stripe;
  beforeAll(async () => {
    kit = await startStripe();
    stripe = kit.stripe;
  });
  afterAll(() => kit.stop());

  it('reads nested bracket parameters (items[0][price], metadata[...], recurring[interval])', async () => {
    const customer = await stripe.customers.create({ email: 'anna@example.nl', metadata: { shop: 'sportshop', tier: 'gold' }, payment_method: 'pm_card_visa', invoice_settings: { default_payment_method: 'pm_card_visa' } });
    expect(customer.metadata).toEqual({ shop: 'sportshop', tier: 'gold' });
    expect(customer.invoice_settings.default_payment_method).toMatch(/^pm_/);
    const price = await stripe.prices.create({ currency: 'eur', unit_amount: 2999, recurring: { interval: 'month' }, product_data: { name: 'Monthly' }, lookup_key: 'monthly' });
    expect(price.recurring).toMatchObject({ interval: 'month', interval_count: 1 });
    const subscription = await stripe.subscriptions.create({ customer: customer.id, items: [{ price: price.id, quantity: 2 }], metadata: { order: '42' } });
    expect(subscription.items.data[0]).toMatchObject({ quantity: 2, price: { id: price.id } });
    expect(subscription.metadata).toEqual({ order: '42' });
    expect(subscription.created).toBe(Math.floor(kit.sandbox.ctx.clock.now().getTime() / 1000));
    expect(subscription.livemode).toBe(false);
  });

  it('expands ids into objects, nested paths, and list items', async () => {
    const customer = await stripe.customers.create({ payment_method: 'pm_card_visa', invoice_settings: { default_payment_method: 'pm_card_visa' } });
    const price = await stripe.prices.create({ currency: 'eur', unit_amount: 1000, recurring: { interval: 'month' }, product_data: { name: 'Basic' } });
    const subscription = await stripe.subscriptions.create({ customer: customer.id, items: [{ price: price.id }], expand: ['latest_invoice.payments', 'customer'] });
    const invoice = subscription.latest_invoice as Stripe.Invoice;
    expect(invoice.object).toBe('invoice');
    const intentId = invoice.payments?.data[0]?.payment.payment_intent;
    expect(intentId).toMatch(/^pi_/);
    expect((subscription.customer as Stripe.Customer).id).toBe(customer.id);
    const list = await stripe.subscriptions.list({ customer: customer.id, expand: ['data.customer'] });
    expect((list.data[0]!.customer as Stripe.Customer).object).toBe('customer');
    const nested = await stripe.invoices.retrieve(invoice.id, { expand: ['payments.data.payment.payment_intent'] });
    expect(nested.payments?.data[0]?.payment.payment_intent).toMatchObject({ object: 'payment_intent', id: intentId, status: 'succeeded' });
    await expect(stripe.customers.retrieve(customer.id, { expand: ['livemode'] })).rejects.toBeInstanceOf(Stripe.errors.StripeInvalidRequestError);
  });

  it('pages lists newest first with limit, starting_after, ending_before and has_more', async () => {
    const product = await stripe.products.create({ name: 'Paging' });
    const created: string[] = [];
    for (let i = 0; i < 25; i++) created.push((await stripe.prices.create({ product: product.id, currency: 'eur', unit_amount: 100 + i })).id);
    const newest = [...created].reverse();
    const first = await stripe.prices.list({ product: product.id, limit: 10 });
    expect(first).toMatchObject({ object: 'list', has_more: true, url: '/v1/prices' });
    expect(first.data.map((p) => p.id)).toEqual(newest.slice(0, 10));
    const second = await stripe.prices.list({ product: product.id, limit: 10, starting_after: first.data[9]!.id });
    expect(second.data.map((p) => p.id)).toEqual(newest.slice(10, 20));
    const back = await stripe.prices.list({ product: product.id, limit: 5, ending_before: second.data[0]!.id });
    expect(back.data.map((p) => p.id)).toEqual(newest.slice(5, 10));
    expect(back.has_more).toBe(true);
    const all = await stripe.prices.list({ product: product.id, limit: 7 }).autoPagingToArray({ limit: 100 });
    expect(all.map((p) => p.id)).toEqual(newest);
    await expect(stripe.prices.list({ limit: 101 })).rejects.toMatchObject({ type: 'StripeInvalidRequestError', param: 'limit' });
  });

  it('filters lists (status all, lookup_keys[], created[gte], types[])', async () => {
    const price = await stripe.prices.create({ currency: 'eur', unit_amount: 29990, recurring: { interval: 'year' }, product_data: { name: 'Yearly' }, lookup_key: 'yearly' });
    const found = await stripe.prices.list({ lookup_keys: ['yearly', 'monthly'] });
    expect(found.data.map((p) => p.lookup_key).sort()).toEqual(['monthly', 'yearly']);
    const customer = await stripe.customers.create({ payment_method: 'pm_card_visa', invoice_settings: { default_payment_method: 'pm_card_visa' } });
    const subscription = await stripe.subscriptions.create({ customer: customer.id, items: [{ price: price.id }] });
    await stripe.subscriptions.cancel(subscription.id);
    expect((await stripe.subscriptions.list({ customer: customer.id })).data).toHaveLength(0);
    expect((await stripe.subscriptions.list({ customer: customer.id, status: 'all' })).data.map((s) => s.status)).toEqual(['canceled']);
    const now = kit.sandbox.ctx.clock.nowSeconds();
    expect((await stripe.customers.list({ created: { gte: now + 1 } })).data).toHaveLength(0);
    const events = await stripe.events.list({ types: ['customer.subscription.created', 'customer.subscription.deleted'], limit: 100 });
    expect(new Set(events.data.map((e) => e.type))).toEqual(new Set(['customer.subscription.created', 'customer.subscription.deleted']));
  });

  it('replays a request with the same Idempotency-Key and refuses one with other parameters', async () => {
    const first = await stripe.customers.create({ email: 'once@example.nl' }, { idempotencyKey: 'create-once' });
    const again = await stripe.customers.create({ email: 'once@example.nl' }, { idempotencyKey: 'create-once' });
    expect(again.id).toBe(first.id);
    expect(again.lastResponse.headers['idempotent-replayed']).toBe('true');
    expect(first.lastResponse.headers['idempotent-replayed']).toBeUndefined();
    expect((await stripe.customers.list({ email: 'once@example.nl' })).data).toHaveLength(1);
    const mismatch = stripe.customers.create({ email: 'other@example.nl' }, { idempotencyKey: 'create-once' });
    await expect(mismatch).rejects.toBeInstanceOf(Stripe.errors.StripeIdempotencyError);
    await expect(mismatch).rejects.toMatchObject({ statusCode: 400, rawType: 'idempotency_error' });
  });

  it('keeps a card error under its key too: the retry gets the same 402', async () => {
    const attempt = () => stripe.paymentIntents.create({ amount: 2000, currency: 'eur', payment_method: 'pm_card_chargeDeclined', confirm: true }, { idempotencyKey: 'declined-once' });
    const first = await attempt().catch((error: unknown) => error);
    const second = await attempt().catch((error: unknown) => error);
    expect(first).toBeInstanceOf(Stripe.errors.StripeCardError);
    expect((second as Stripe.errors.StripeCardError).payment_intent?.id).toBe((first as Stripe.errors.StripeCardError).payment_intent?.id);
  });

  it('answers a wrong or missing key with 401 (StripeAuthenticationError)', async () => {
    const wrong = sdk(kit.sandbox, 'sk_test_wrong_key_12345');
    await expect(wrong.customers.list()).rejects.toBeInstanceOf(Stripe.errors.StripeAuthenticationError);
    await expect(wrong.customers.list()).rejects.toMatchObject({ statusCode: 401, message: expect.stringMatching(/^Invalid API Key provided: sk_test_/) });
    const missing = await fetch(`${kit.sandbox.url}/v1/customers`);
    expect(missing.status).toBe(401);
    expect(((await missing.json()) as { error: { message: string } }).error.message).toMatch(/did not provide an API key/);
  });

  it('gives Stripe error classes and codes: card decline, missing resource, invalid and missing parameters', async () => {
    const declined = await stripe.paymentIntents.create({ amount: 500, currency: 'eur', payment_method: 'pm_card_chargeDeclinedInsufficientFunds', confirm: true }).catch((error: unknown) => error);
    expect(declined).toBeInstanceOf(Stripe.errors.StripeCardError);
    expect(declined).toMatchObject({ statusCode: 402, code: 'card_declined', decline_code: 'insufficient_funds', message: 'Your card has insufficient funds.' });
    expect((declined as Stripe.errors.StripeCardError).payment_intent?.status).toBe('requires_payment_method');

    const missing = await stripe.customers.retrieve('cus_doesnotexist').catch((error: unknown) => error);
    expect(missing).toBeInstanceOf(Stripe.errors.StripeInvalidRequestError);
    expect(missing).toMatchObject({ statusCode: 404, code: 'resource_missing', param: 'id', message: "No such customer: 'cus_doesnotexist'" });

    const badReference = await stripe.subscriptions.create({ customer: 'cus_nope', items: [{ price: 'price_nope' }] }).catch((error: unknown) => error);
    expect(badReference).toMatchObject({ statusCode: 400, code: 'resource_missing', param: 'customer' });

    const missingParam = await stripe.prices.create({ currency: 'eur', product_data: { name: 'x' } } as Stripe.PriceCreateParams).catch((error: unknown) => error);
    expect(missingParam).toMatchObject({ statusCode: 400, code: 'parameter_missing', param: 'unit_amount' });

    const invalid = await stripe.paymentIntents.create({ amount: 'lots' as unknown as number, currency: 'eur' }).catch((error: unknown) => error);
    expect(invalid).toMatchObject({ statusCode: 400, code: 'parameter_invalid_integer', param: 'amount' });

    const unknownUrl = await fetch(`${kit.sandbox.url}/v1/nothing_here`, { headers: { authorization: 'Bearer sk_test_recur_sandbox' } });
    expect(unknownUrl.status).toBe(404);
    expect(((await unknownUrl.json()) as { error: { message: string } }).error.message).toMatch(/^Unrecognized request URL \(GET: \/v1\/nothing_here\)/);
  });

  it('accepts Stripe-Version and sends request ids', async () => {
    const pinned = sdk(kit.sandbox, undefined, { apiVersion: '2025-03-31.basil' as Stripe.LatestApiVersion });
    const customer = await pinned.customers.create({ name: 'Pinned' });
    expect(customer.lastResponse.requestId).toMatch(/^req_/);
    const bad = await fetch(`${kit.sandbox.url}/v1/customers`, { headers: { authorization: 'Bearer sk_test_recur_sandbox', 'stripe-version': 'yesterday' } });
    expect(bad.status).toBe(400);
  });

  it('injects request faults in Stripe’s error shape (429 code rate_limit with Retry-After, 500 api_error), each with a request id', async () => {
    const put = (body: unknown) => fetch(`${kit.sandbox.url}/sandbox/faults`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    const noRetries = sdk(kit.sandbox, undefined, { maxNetworkRetries: 0 });
    await put({ requests: [{ provider: 'stripe', route: 'GET /v1/customers', errorRate: 1, errorStatus: 429, retryAfterSeconds: 2 }] });
    const limited = await noRetries.customers.list().catch((error: unknown) => error);
    expect(limited).toBeInstanceOf(Stripe.errors.StripeRateLimitError);
    // The pinned version's error types have no rate_limit_error: Stripe says invalid_request_error, code rate_limit.
    expect(limited).toMatchObject({ statusCode: 429, rawType: 'invalid_request_error', code: 'rate_limit' });
    expect((limited as Stripe.errors.StripeError).headers?.['retry-after']).toBe('2');
    expect((limited as Stripe.errors.StripeError).requestId).toMatch(/^req_/);
    await put({ requests: [{ provider: 'stripe', route: '/v1/customers/:id', errorRate: 1, errorStatus: 500 }] });
    const failed = await noRetries.customers.retrieve('cus_x').catch((error: unknown) => error);
    expect(failed).toBeInstanceOf(Stripe.errors.StripeAPIError);
    expect((failed as Stripe.errors.StripeError).requestId).toMatch(/^req_/);
    await put({});
    expect((await noRetries.customers.list({ limit: 1 })).object).toBe('list');
  });
});
