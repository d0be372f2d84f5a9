import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedCustomer } from '../support/seed.ts';
import { testDatabaseKinds } from '../support/test-database.ts';
import { PUBLIC_BASE_URL, startPaypalTestApp, subscribeThroughRecur, type PaypalTestApp } from './paypal-test-kit.ts';

/**
 * One customer moves from PayPal to Stripe and asks to go back, every step through recur's API and
 * the providers' hosted pages: the PayPal trial, a Stripe checkout refused beside it (409), the
 * PayPal subscription cancelled through recur, then Stripe sells the plan without a second trial
 * and charges at once, PayPal is refused beside the live Stripe one, and once that is cancelled
 * PayPal sells the plan without its trial too. Exactly one live
 * subscription at every point.
 */
describe.each(testDatabaseKinds)('a customer moving between PayPal and Stripe on %s', (kind) => {
  let kit: PaypalTestApp;
  beforeAll(async () => {
    kit = await startPaypalTestApp(kind, { withStripe: true });
  }, 60_000);
  afterAll(() => kit.stop());

  const api = (method: 'GET' | 'POST', url: string, payload?: Record<string, unknown>) => kit.t.app.inject({ method, url, headers: { authorization: kit.t.auth }, ...(payload === undefined ? {} : { payload }) });
  const checkout = (customer: string, provider: string) => api('POST', '/v1/checkout', { customer, plan: 'monthly', provider, return_url: 'https://shop.example/account' });
  const live = async (customerId: string) =>
    (await kit.t.ctx.db.query<{ provider: string; status: string }>("SELECT provider, status FROM subscriptions WHERE customer_id = $1 AND status IN ('trialing', 'active', 'past_due', 'paused', 'incomplete') ORDER BY provider", [customerId])).rows;

  it('PayPal trial, Stripe refused beside it, PayPal cancelled, Stripe without a second trial, PayPal refused beside that', async () => {
    const customerId = await seedCustomer(kit.t, 'move-7001');
    const { subscriptionId: paypalSubscription } = await subscribeThroughRecur(kit, 'move-7001', 'monthly');
    expect(await live(customerId)).toEqual([{ provider: 'paypal', status: 'trialing' }]);

    const refused = await checkout('move-7001', 'stripe');
    expect([refused.statusCode, refused.json().error.details?.subscription_id]).toEqual([409, paypalSubscription]);
    expect(await live(customerId)).toHaveLength(1);

    expect((await api('POST', `/v1/subscriptions/${paypalSubscription}/cancel`, { at: 'now' })).statusCode).toBe(200);
    expect(await live(customerId)).toEqual([]);

    const started = await checkout('move-7001', 'stripe');
    expect(started.statusCode, started.body).toBe(201);
    expect(started.json().terms).toMatchObject({ trial_days: 0, trial_refused: { subscription_id: paypalSubscription }, due_today: { amount_minor: 2999, currency: 'EUR' } });
    const paid = await fetch(started.json().url as string, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ card: 'pm_card_visa', action: 'pay' }).toString(), redirect: 'manual' });
    expect(paid.status).toBe(303);
    const returned = await kit.t.app.inject({ method: 'GET', url: paid.headers.get('location')!.replace(PUBLIC_BASE_URL, '') });
    expect(returned.statusCode).toBe(303);
    expect(await live(customerId)).toEqual([{ provider: 'stripe', status: 'active' }]);

    const back = await checkout('move-7001', 'paypal');
    expect([back.statusCode, back.json().error.code]).toEqual([409, 'conflict']);
    expect(await live(customerId)).toHaveLength(1);

    // And back to PayPal once the Stripe one is cancelled: the plan's twin without the trial cycle, charged at once.
    const stripeSubscription = new URL(returned.headers.location as string).searchParams.get('subscription')!;
    expect((await api('POST', `/v1/subscriptions/${stripeSubscription}/cancel`, { at: 'now' })).statusCode).toBe(200);
    expect(await live(customerId)).toEqual([]);
    const { subscriptionId: again } = await subscribeThroughRecur(kit, 'move-7001', 'monthly');
    expect((await api('GET', `/v1/subscriptions/${again}`)).json()).toMatchObject({ provider: 'paypal', status: 'active', trial_end: null });
    expect(await live(customerId)).toEqual([{ provider: 'paypal', status: 'active' }]);
  }, 120_000);
});
