import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { reconcileProvider } from '../../src/services/reconciliation/reconcile-provider.ts';
import { seedCustomer } from '../support/seed.ts';
import { testDatabaseKinds } from '../support/test-database.ts';
import { startPaypalTestApp, subscribeThroughRecur, type PaypalTestApp } from './paypal-test-kit.ts';

type Item = { kind: string; provider_object_id: string; recur_id: string | null; action: string; found: { subscriptions: { id: string; status: string }[] } };

/**
 * A customer live at PayPal (through recur) and at Stripe (made at Stripe by hand, outside recur's
 * checkout rule) pays twice. Neither provider's list shows it; recur's rows do, once Stripe's run
 * has recorded the Stripe one: one alert to each admin for the pair, a report item in every run of
 * either provider while it lasts, and nothing canceled.
 */
describe.each(testDatabaseKinds)('live subscriptions of one customer at Stripe and PayPal on %s', (kind) => {
  let kit: PaypalTestApp;
  beforeAll(async () => {
    kit = await startPaypalTestApp(kind, { withStripe: true });
    kit.t.ctx.config = { ...kit.t.ctx.config, ADMIN_EMAILS: ['ops@shop.example'] };
  }, 60_000);
  afterAll(() => kit.stop());

  const report = async (runId: string): Promise<Item[]> => {
    const response = await kit.t.app.inject({ method: 'GET', url: `/v1/reconciliation/runs/${runId}`, headers: { authorization: kit.t.auth } });
    expect(response.statusCode).toBe(200);
    return (response.json() as { items: Item[] }).items.filter((item) => item.kind === 'several_live_subscriptions');
  };

  it('alerts once for the pair, reports it in each provider\'s runs, and cancels nothing', async () => {
    const customerId = await seedCustomer(kit.t, 'both-8001');
    const { paypalId } = await subscribeThroughRecur(kit, 'both-8001', 'monthly');
    // The PayPal run alone finds nothing: one live subscription.
    const before = await reconcileProvider(kit.t.ctx, { provider: 'paypal', trigger: 'cli' });
    expect(await report(before.id)).toEqual([]);

    const stripe = kit.stripe!.stripe;
    const [price] = (await stripe.prices.list({ lookup_keys: ['recur_yearly'] })).data;
    const stripeCustomer = await stripe.customers.create({ email: 'both-8001@example.nl' });
    const stripeSubscription = await stripe.subscriptions.create({ customer: stripeCustomer.id, items: [{ price: price!.id }], trial_period_days: 30, metadata: { recur_customer_id: customerId } });

    const stripeRun = await reconcileProvider(kit.t.ctx, { provider: 'stripe', trigger: 'cli' });
    const paypalRun = await reconcileProvider(kit.t.ctx, { provider: 'paypal', trigger: 'cli' });
    const pair = [{ id: `paypal:${paypalId}`, status: 'trialing' }, { id: `stripe:${stripeSubscription.id}`, status: 'trialing' }];
    expect(await report(stripeRun.id)).toEqual([expect.objectContaining({ provider_object_id: 'both-8001', recur_id: customerId, action: 'admins alerted; nothing canceled', found: { subscriptions: pair } })]);
    expect((await report(paypalRun.id)).map((item) => item.action)).toEqual(['already alerted for this incident; nothing canceled']);

    const alerts = await kit.t.ctx.db.query<{ recipient: string; payload: { provider: string; customer_id: string } }>("SELECT recipient, payload FROM notification_outbox WHERE template = 'admin-alert-several-live-subscriptions'");
    expect(alerts.rows).toEqual([{ recipient: 'ops@shop.example', payload: expect.objectContaining({ provider: 'paypal + stripe', customer_id: customerId }) }]);
    const live = await kit.t.ctx.db.query("SELECT provider, status FROM subscriptions WHERE customer_id = $1 ORDER BY provider", [customerId]);
    expect(live.rows).toEqual([{ provider: 'paypal', status: 'trialing' }, { provider: 'stripe', status: 'trialing' }]);
    expect((await stripe.subscriptions.retrieve(stripeSubscription.id)).status).toBe('trialing');

    // Once one of them ends, the next run finds nothing more.
    await stripe.subscriptions.cancel(stripeSubscription.id);
    const after = await reconcileProvider(kit.t.ctx, { provider: 'stripe', trigger: 'cli' });
    expect(await report(after.id)).toEqual([]);
  }, 120_000);
});
