import type Stripe from 'stripe';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { reconcileProvider } from '../../src/services/reconciliation/reconcile-provider.ts';
import { advanceDays, type StripeKit } from '../sandbox/stripe/stripe-kit.ts';
import { startStripeTestApp } from '../stripe/stripe-test-kit.ts';
import type { TestApp } from '../support/test-app.ts';
import { testDatabaseKinds } from '../support/test-database.ts';

const DAY = 86_400_000;

type Item = { kind: string; provider_object_id: string; recur_id: string | null; action: string; found: unknown };

/**
 * A renewal fails at Stripe while recur hears nothing (no webhooks here): reconciliation records
 * the subscription with the failure's date, and repairs a past_due_since that is wrong (a week
 * early, as a late event's time once left it) to Stripe's fact, through the guarded write.
 */
describe.each(testDatabaseKinds)('reconciliation of past_due_since on %s', (kind) => {
  let t: TestApp;
  let kit: StripeKit;
  let stripe: Stripe;
  let subscription: Stripe.Subscription;
  let failedAt: Date;

  beforeAll(async () => {
    ({ kit, stripe, t } = await startStripeTestApp(kind));
    const customer = await stripe.customers.create({ email: 'late-reconciled@example.nl', payment_method: 'pm_card_chargeCustomerFail', invoice_settings: { default_payment_method: 'pm_card_chargeCustomerFail' } });
    const price = (await stripe.prices.list({ lookup_keys: ['recur_monthly'] })).data[0]!;
    // The account leaves a subscription past due after the last retry, so it stays past due into its next period.
    await fetch(`${kit.sandbox.url}/sandbox/stripe/settings`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ afterFinalFailure: 'past_due' }) });
    subscription = await stripe.subscriptions.create({ customer: customer.id, items: [{ price: price.id }], trial_period_days: 1 });
    // The trial ends on day 1 and its charge fails, and so do the retries (days 4, 9, 16) and the
    // next renewal on day 32: two unpaid invoices, one incident that began on day 1.
    await advanceDays(kit.sandbox, 33);
    const failed = (await stripe.charges.list({ customer: customer.id })).data.filter((charge) => charge.status === 'failed');
    expect(failed).toHaveLength(5);
    failedAt = new Date(Math.min(...failed.map((charge) => charge.created)) * 1000);
    const current = await stripe.subscriptions.retrieve(subscription.id);
    expect(current.status).toBe('past_due');
    expect(current.items.data[0]!.current_period_start * 1000).toBeGreaterThan(failedAt.getTime() + 30 * DAY);
  });
  afterAll(async () => {
    await t.close();
    await kit.stop();
  });

  const row = async () => (await t.ctx.db.query<{ id: string; status: string; past_due_since: Date | null }>('SELECT id, status, past_due_since FROM subscriptions WHERE provider_subscription_id = $1', [subscription.id])).rows[0];
  const report = async (runId: string) =>
    ((await t.app.inject({ method: 'GET', url: `/v1/reconciliation/runs/${runId}`, headers: { authorization: t.auth } })).json() as { items: Item[] }).items;

  it('records a past-due subscription recur lacks with its incident\'s first failed charge as past_due_since', async () => {
    const run = await reconcileProvider(t.ctx, { provider: 'stripe', trigger: 'cli' });
    expect(run.counts).toMatchObject({ missing_locally: 1 });
    expect(await row()).toMatchObject({ status: 'past_due', past_due_since: failedAt });
  });

  it('repairs a wrong past_due_since to Stripe\'s fact and reports it, then finds nothing more', async () => {
    const wrong = new Date(failedAt.getTime() - 7 * DAY);
    const { id } = (await row())!;
    await t.ctx.db.query('UPDATE subscriptions SET past_due_since = $1 WHERE id = $2', [wrong, id]);

    const run = await reconcileProvider(t.ctx, { provider: 'stripe', trigger: 'cli' });
    expect(run.counts).toEqual({ stale_past_due_since: 1 });
    expect(await report(run.id)).toEqual([
      expect.objectContaining({ kind: 'stale_past_due_since', provider_object_id: subscription.id, recur_id: id, action: 'repaired from Stripe', found: expect.objectContaining({ recur: wrong.toISOString(), provider: failedAt.toISOString() }) }),
    ]);
    expect(await row()).toMatchObject({ status: 'past_due', past_due_since: failedAt });
    const audit = await t.ctx.db.query<{ after: { pastDueSince: string } }>("SELECT after FROM audit_log WHERE entity = 'subscription' AND entity_id = $1 AND actor = $2", [id, `reconcile:${run.id}`]);
    expect(audit.rows.map((entry) => entry.after.pastDueSince)).toEqual([failedAt.toISOString()]);

    const again = await reconcileProvider(t.ctx, { provider: 'stripe', trigger: 'cli' });
    expect(again.counts).toEqual({});
  });
});
