import { afterEach, describe, expect, it } from 'vitest';
import { reconcileProvider } from '../../src/services/reconciliation/reconcile-provider.ts';
import { buildJobCatalogue } from '../../src/jobs/job-catalogue.ts';
import { RECONCILE_STRIPE } from '../../src/jobs/reconcile-provider.ts';
import { RecurError } from '../../src/shared/errors.ts';
import type { StripeKit } from '../sandbox/stripe/stripe-kit.ts';
import { waitUntilSettled, type RunningRecur } from '../stripe/running-recur.ts';
import { startStripeTestApp } from '../stripe/stripe-test-kit.ts';
import { seedCustomer, seedSubscription } from '../support/seed.ts';
import type { TestApp } from '../support/test-app.ts';
import { testDatabaseKinds } from '../support/test-database.ts';
import { advanceSandbox, setUpMissedWebhooks } from './missed-webhooks.ts';
import { stripeGatewayOf, withStripeGateway } from '../support/payment-providers.ts';

type Item = { kind: string; provider_object_id: string; recur_id: string | null; action: string; found: unknown };

async function readReport(t: Pick<TestApp, 'app' | 'auth'>, runId: string): Promise<Item[]> {
  const response = await t.app.inject({ method: 'GET', url: `/v1/reconciliation/runs/${runId}`, headers: { authorization: t.auth } });
  expect(response.statusCode).toBe(200);
  return (response.json() as { items: Item[] }).items;
}

describe.each(testDatabaseKinds)('reconciliation repairs on %s', (kind) => {
  let running: RunningRecur | null = null;
  let kit: StripeKit | null = null;
  let t: TestApp | null = null;
  afterEach(async () => {
    await running?.close();
    await t?.close();
    await kit?.stop();
    running = null;
    t = null;
    kit = null;
  });

  it('repairs a stale row with a version that lets a webhook for a later change win afterwards', async () => {
    const { recur, subscriptionId } = await setUpMissedWebhooks(kind, (started) => (running = started));
    const db = recur.t.ctx.db;
    const run = await reconcileProvider(recur.t.ctx, { provider: 'stripe', trigger: 'schedule' });
    await waitUntilSettled(recur);
    expect((await db.query('SELECT status, cancel_at_period_end FROM subscriptions')).rows).toEqual([{ status: 'active', cancel_at_period_end: true }]);
    const repairs = await db.query<{ actor: string }>("SELECT actor FROM audit_log WHERE entity = 'subscription' AND actor = $1", [`reconcile:${run.id}`]);
    expect(repairs.rows).toHaveLength(1);

    // Webhooks back on; a minute later the customer resumes at Stripe. The webhook must still apply.
    await recur.kit.stripe.webhookEndpoints.update(recur.endpointId, { disabled: false });
    await advanceSandbox(recur, { seconds: 60 });
    await recur.kit.stripe.subscriptions.update(subscriptionId, { cancel_at_period_end: false });
    await waitUntilSettled(recur);
    expect((await db.query('SELECT status, cancel_at_period_end FROM subscriptions')).rows).toEqual([{ status: 'active', cancel_at_period_end: false }]);
    const last = await db.query<{ actor: string; after: { cancelAtPeriodEnd: boolean } }>("SELECT actor, after FROM audit_log WHERE entity = 'subscription' ORDER BY id DESC LIMIT 1");
    expect(last.rows[0]!.actor).toMatch(/^webhook:stripe:evt_/);
    expect(last.rows[0]!.after.cancelAtPeriodEnd).toBe(false);
  }, 60_000);

  it('alerts admins once about several live subscriptions of one customer, reports it every run, and cancels nothing', async () => {
    ({ kit, t } = await startStripeTestApp(kind));
    t.ctx.config = { ...t.ctx.config, ADMIN_EMAILS: ['ops@shop.example', 'owner@shop.example'] };
    const prices = (await kit.stripe.prices.list({ lookup_keys: ['recur_monthly', 'recur_yearly'] })).data;
    const customer = await kit.stripe.customers.create({ email: 'twice@example.nl' });
    const subscriptions = [];
    for (const price of prices) subscriptions.push(await kit.stripe.subscriptions.create({ customer: customer.id, items: [{ price: price.id }], trial_period_days: 30 }));

    const first = await reconcileProvider(t.ctx, { provider: 'stripe', trigger: 'cli' });
    const second = await reconcileProvider(t.ctx, { provider: 'stripe', trigger: 'cli' });
    expect(first.counts).toMatchObject({ missing_locally: 2, several_live_subscriptions: 1 });
    expect(second.counts).toEqual({ several_live_subscriptions: 1 });

    const flagged = (await readReport(t, first.id)).find((item) => item.kind === 'several_live_subscriptions')!;
    expect(flagged).toMatchObject({ provider_object_id: customer.id, recur_id: expect.any(String), action: 'admins alerted; nothing canceled' });
    expect((await readReport(t, second.id)).map((item) => item.action)).toEqual(['already alerted for this incident; nothing canceled']);
    const outbox = await t.ctx.db.query<{ recipient: string; template: string }>("SELECT recipient, template FROM notification_outbox WHERE template = 'admin-alert-several-live-subscriptions' ORDER BY recipient");
    expect(outbox.rows).toEqual([
      { recipient: 'ops@shop.example', template: 'admin-alert-several-live-subscriptions' },
      { recipient: 'owner@shop.example', template: 'admin-alert-several-live-subscriptions' },
    ]);
    // Each run that found drift is also one reconciliation alert per admin, with its counts.
    const runAlerts = await t.ctx.db.query<{ business_key: string; payload: { findings: number } }>("SELECT business_key, payload FROM notification_outbox WHERE template = 'admin-alert-reconciliation' ORDER BY business_key");
    expect(runAlerts.rows.map((row) => row.business_key).sort()).toEqual(
      [`alert:reconciliation:${first.id}`, `alert:reconciliation:${first.id}:owner@shop.example`, `alert:reconciliation:${second.id}`, `alert:reconciliation:${second.id}:owner@shop.example`].sort(),
    );
    expect(runAlerts.rows.find((row) => row.business_key === `alert:reconciliation:${second.id}`)!.payload).toMatchObject({ run_id: second.id, provider: 'stripe', findings: 1, kinds: { several_live_subscriptions: 1 } });
    const audited = await t.ctx.db.query("SELECT 1 FROM audit_log WHERE action = 'several_live_subscriptions_alert'");
    expect(audited.rows).toHaveLength(1);
    for (const subscription of subscriptions) expect((await kit.stripe.subscriptions.retrieve(subscription.id)).status).toBe('trialing');
  }, 60_000);

  it('ends a subscription Stripe does not know: no entitlement, one audit entry and one alert per admin however often it runs', async () => {
    ({ kit, t } = await startStripeTestApp(kind));
    t.ctx.config = { ...t.ctx.config, ADMIN_EMAILS: ['ops@shop.example', 'owner@shop.example'] };
    const customerId = await seedCustomer(t, 'shop-ghost');
    const rowId = await seedSubscription(t, customerId, { providerSubscriptionId: 'sub_neverAtStripe', currentPeriodEnd: new Date('2028-01-01T00:00:00Z') });
    const entitlement = async () => (await t!.app.inject({ method: 'GET', url: '/v1/customers/shop-ghost/entitlement', headers: { authorization: t!.auth } })).json() as { entitled: boolean; reason: string };
    expect(await entitlement()).toMatchObject({ entitled: true, reason: 'active' });
    t.clock.advance(60_000);

    const first = await reconcileProvider(t.ctx, { provider: 'stripe', trigger: 'cli' });
    // (The sandbox's events about the synced plans are recovered too: recur had no webhooks yet.)
    expect(first.counts).toMatchObject({ missing_at_provider: 1 });
    expect((await readReport(t, first.id)).filter((item) => item.kind !== 'event_recovered')).toEqual([
      { kind: 'missing_at_provider', provider_object_id: 'sub_neverAtStripe', recur_id: rowId, found: { at_stripe: null, recur_status: 'active' }, action: 'ended in recur (no entitlement); admins alerted', id: expect.any(Number), created_at: expect.any(String) },
    ]);
    expect(await entitlement()).toEqual(expect.objectContaining({ entitled: false, reason: 'canceled' }));
    const subscription = (await t.app.inject({ method: 'GET', url: `/v1/subscriptions/${rowId}`, headers: { authorization: t.auth } })).json() as Record<string, unknown>;
    expect(subscription).toMatchObject({ status: 'canceled', provider_status: 'missing_at_provider', cancel_at_period_end: false, canceled_at: t.clock.now().toISOString() });

    t.clock.advance(60_000);
    const second = await reconcileProvider(t.ctx, { provider: 'stripe', trigger: 'cli' });
    expect(second.counts['missing_at_provider']).toBeUndefined();
    const ended = await t.ctx.db.query<{ actor: string; reason: string }>("SELECT actor, reason FROM audit_log WHERE entity = 'subscription' AND entity_id = $1 AND action = 'end'", [rowId]);
    expect(ended.rows).toEqual([{ actor: `reconcile:${first.id}`, reason: `missing_at_provider: Stripe does not have subscription sub_neverAtStripe (reconciliation run ${first.id})` }]);
    const alerts = await t.ctx.db.query<{ recipient: string; payload: Record<string, unknown> }>("SELECT recipient, payload FROM notification_outbox WHERE template = 'admin-alert-missing-at-provider' ORDER BY recipient");
    expect(alerts.rows.map((row) => row.recipient)).toEqual(['ops@shop.example', 'owner@shop.example']);
    expect(alerts.rows[0]!.payload).toEqual({ provider: 'stripe', provider_subscription_id: 'sub_neverAtStripe', subscription_id: rowId, customer_id: 'shop-ghost', previous_status: 'active', run_id: first.id });
    // Nothing is said to the customer: the subscription was not theirs at Stripe.
    expect((await t.ctx.db.query("SELECT 1 FROM notification_outbox WHERE customer_id = $1", [customerId])).rows).toEqual([]);
  }, 60_000);

  it('never runs twice at once, and is scheduled by RECONCILE_CRON unless it is off', async () => {
    ({ kit, t } = await startStripeTestApp(kind));
    // The first run is held inside its first Stripe request while a second one tries to start.
    const real = stripeGatewayOf(t.ctx);
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    let entered!: () => void;
    const inside = new Promise<void>((resolve) => (entered = resolve));
    t.ctx.payments = withStripeGateway(t.ctx, {
      ...real,
      listSubscriptionsPage: async (cursor) => {
        entered();
        await gate;
        return real.listSubscriptionsPage(cursor);
      },
    });
    const first = reconcileProvider(t.ctx, { provider: 'stripe', trigger: 'cli' });
    await inside;
    const refused = await reconcileProvider(t.ctx, { provider: 'stripe', trigger: 'schedule' }).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(RecurError);
    expect([(refused as RecurError).code, (refused as RecurError).message]).toEqual(['conflict', expect.stringMatching(/^a Stripe reconciliation run is already running \(/)]);
    release();
    expect((await first).status).toBe('succeeded');
    // Finished, the next run starts.
    expect((await reconcileProvider(t.ctx, { provider: 'stripe', trigger: 'cli' })).status).toBe('succeeded');

    const job = (cron: string) => buildJobCatalogue({ ...t!.ctx, config: { ...t!.ctx.config, RECONCILE_CRON: cron } }).find((definition) => definition.name === RECONCILE_STRIPE)!;
    expect([job('0 * * * *').cron, job('0 * * * *').policy]).toEqual(['0 * * * *', 'stately']);
    expect(job('off').cron).toBeUndefined();
  }, 60_000);
});
