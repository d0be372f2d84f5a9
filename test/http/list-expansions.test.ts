import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { upsertPayment } from '../../src/db/repositories/payment-repository.ts';
import { seedCustomer, seedSubscription } from '../support/seed.ts';
import { startTestApp, type TestApp } from '../support/test-app.ts';
import { testDatabaseKinds } from '../support/test-database.ts';

/**
 * `expand` is one style on every route whose answer names related objects: `?expand=customer`,
 * repeated for more; the field then carries the whole object as its own route shows it.
 */
describe.each(testDatabaseKinds)('expansions on %s', (kind) => {
  let t: TestApp;
  let annaSubscription: string;
  let bramSubscription: string;

  const get = async (url: string) => {
    const response = await t.app.inject({ method: 'GET', url, headers: { authorization: t.auth } });
    return { status: response.statusCode, body: response.json() };
  };
  const pay = async (customerId: string, subscriptionId: string | null, id: string) => {
    const now = t.clock.now();
    await upsertPayment(
      t.ctx.db,
      { customerId, subscriptionId, provider: 'stripe', providerPaymentId: id, kind: subscriptionId ? 'subscription' : 'one_time', amountMinor: 2999, currency: 'EUR', amountRefundedMinor: 0, status: 'succeeded', methodSummary: null, invoiceAt: now, providerUpdatedAt: now },
      now,
    );
    t.clock.advance(1000);
  };

  beforeAll(async () => {
    t = await startTestApp(kind);
    const anna = await seedCustomer(t, 'anna-expand', { name: 'Anna de Vries' });
    const bram = await seedCustomer(t, 'bram-expand', { name: 'Bram Jansen' });
    annaSubscription = await seedSubscription(t, anna);
    t.clock.advance(1000);
    bramSubscription = await seedSubscription(t, bram, { planId: 'yearly' });
    await pay(anna, annaSubscription, 'pi_expand_1');
    await pay(bram, bramSubscription, 'pi_expand_2');
    await pay(bram, null, 'pi_expand_once');
  });
  afterAll(() => t.close());

  it('shows ids without expand, and the customer whole with expand=customer, on the list and on one subscription', async () => {
    const plain = await get('/v1/subscriptions');
    expect(plain.body.data.map((subscription: { customer: unknown }) => subscription.customer)).toEqual(['bram-expand', 'anna-expand']);

    const expanded = await get('/v1/subscriptions?expand=customer');
    expect(expanded.status).toBe(200);
    expect(expanded.body.data.map((subscription: { customer: { external_id: string; name: string } }) => [subscription.customer.external_id, subscription.customer.name])).toEqual([
      ['bram-expand', 'Bram Jansen'],
      ['anna-expand', 'Anna de Vries'],
    ]);
    const customer = await get('/v1/customers/anna-expand');
    expect(expanded.body.data[1].customer).toEqual(customer.body);

    const one = await get(`/v1/subscriptions/${bramSubscription}?expand=customer`);
    expect(one.body).toMatchObject({ id: bramSubscription, plan: 'yearly', customer: { external_id: 'bram-expand' } });
    expect((await get(`/v1/subscriptions/${bramSubscription}`)).body.customer).toBe('bram-expand');
  });

  it('expands a payment’s customer and subscription together; a one-time payment’s subscription is null', async () => {
    const plain = await get('/v1/payments');
    expect(plain.body.data[0]).not.toHaveProperty('subscription');

    const expanded = await get('/v1/payments?expand=customer&expand=subscription');
    expect(expanded.status).toBe(200);
    const byId = new Map(expanded.body.data.map((payment: { provider_payment_id: string }) => [payment.provider_payment_id, payment]));
    expect(byId.get('pi_expand_1')).toMatchObject({ customer: { external_id: 'anna-expand' }, subscription_id: annaSubscription, subscription: { id: annaSubscription, customer: 'anna-expand' } });
    expect(byId.get('pi_expand_2')).toMatchObject({ customer: { external_id: 'bram-expand' }, subscription: { id: bramSubscription, plan: 'yearly' } });
    expect(byId.get('pi_expand_once')).toMatchObject({ kind: 'one_time', subscription_id: null, subscription: null });

    const onlySubscription = await get('/v1/payments?expand=subscription&customer=anna-expand');
    expect(onlySubscription.body.data).toEqual([expect.objectContaining({ customer: 'anna-expand', subscription: expect.objectContaining({ id: annaSubscription }) })]);
  });

  it('refuses what a route cannot expand, in the error shape', async () => {
    for (const url of ['/v1/subscriptions?expand=payments', `/v1/subscriptions/${annaSubscription}?expand=subscription`, '/v1/payments?expand=plan', '/v1/notifications?expand=customer']) {
      const answer = await get(url);
      expect(answer.status, url).toBe(400);
      expect(answer.body.error, url).toMatchObject({ code: 'validation_failed', message: expect.stringContaining('expand') });
      if (!url.startsWith('/v1/notifications')) expect(answer.body.error.message, url).toMatch(/expected "customer"/);
    }
  });
});
