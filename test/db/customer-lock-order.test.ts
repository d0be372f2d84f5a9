import pg from 'pg';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Queryable } from '../../src/db/database.ts';
import type { ProviderPayment, ProviderSubscription } from '../../src/providers/payments/provider-objects.ts';
import { emptySnapshot } from '../../src/providers/payments/provider-snapshot.ts';
import { entitlementPolicyOf } from '../../src/services/entitlement/entitlement-policy.ts';
import { lockStoredSubscription } from '../../src/services/reconciliation/stored-subscriptions.ts';
import { runRiskStep } from '../../src/services/risk/run-risk-step.ts';
import { applyProviderSnapshot } from '../../src/services/sync/apply-provider-snapshot.ts';
import { recordProviderPayment } from '../../src/services/sync/record-provider-payment.ts';
import { recordProviderSubscription } from '../../src/services/sync/record-provider-subscription.ts';
import { poll } from '../support/poll.ts';
import { seedCustomer, seedSubscription } from '../support/seed.ts';
import { startTestApp, type TestApp } from '../support/test-app.ts';
import { testDatabaseKinds } from '../support/test-database.ts';

/**
 * Every write that may record an event for the shop takes the customer's row before any other row
 * (the event's sequence lives there). A write that took a subscription or payment row first would
 * deadlock with a webhook of the same customer taking them the other way round, as a checkout
 * return and a webhook once did. Shown on PostgreSQL, where writes run at once: while another
 * session holds the customer, the write waits on it having taken nothing yet (no transaction id:
 * a row lock or a write would have given it one).
 */
describe.each(testDatabaseKinds.filter((kind) => kind === 'postgres'))('the customer row comes first in every write (%s)', (kind) => {
  let t: TestApp;
  let holder: pg.Client;
  let customerId: string;
  let subscriptionRowId: string;
  let providerSubscriptionId: string;

  beforeEach(async () => {
    t = await startTestApp(kind);
    customerId = await seedCustomer(t, 'locked-first');
    providerSubscriptionId = 'sub_locked_first';
    subscriptionRowId = await seedSubscription(t, customerId, { providerSubscriptionId });
    holder = new pg.Client({ connectionString: t.database.url! });
    await holder.connect();
  });
  afterEach(async () => {
    await holder.end();
    await t.close();
  });

  const subscription = (changes: Partial<ProviderSubscription> = {}): ProviderSubscription => {
    const now = t.clock.now();
    return {
      id: providerSubscriptionId,
      providerCustomerId: 'cus_locked_first',
      status: 'active',
      priceId: 'price_monthly',
      priceLookupKey: 'recur_monthly',
      signedUpAt: now,
      trialEnd: null,
      currentPeriodStart: now,
      currentPeriodEnd: new Date(now.getTime() + 30 * 86_400_000),
      cancelAtPeriodEnd: true,
      canceledAt: null,
      metadata: {},
      ...changes,
    };
  };
  const payment = (): ProviderPayment => ({
    id: 'in_locked_first',
    providerCustomerId: 'cus_locked_first',
    providerSubscriptionId,
    amountMinor: 2999,
    currency: 'EUR',
    amountRefundedMinor: 0,
    status: 'succeeded',
    methodSummary: null,
    at: t.clock.now(),
    paidAt: t.clock.now(),
    failedAt: null,
  });
  const common = () => ({ plans: t.ctx.config.catalogue.plans, entitlementPolicy: entitlementPolicyOf(t.ctx.config), now: t.clock.now(), actor: 'lock-order-test' });
  const later = () => new Date(t.clock.now().getTime() + 1000);

  /** Runs the write while another session holds the customer; answers what the write held when it waited. */
  async function whileCustomerIsHeld(write: (tx: Queryable) => Promise<unknown>): Promise<{ query: string; heldRows: boolean }> {
    return whileHeld(() => t.ctx.db.transaction(write));
  }
  async function whileHeld(run: () => Promise<unknown>): Promise<{ query: string; heldRows: boolean }> {
    await holder.query('BEGIN');
    await holder.query('SELECT 1 FROM customers WHERE id = $1 FOR UPDATE', [customerId]);
    const holderPid = (await holder.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]!.pid;
    const running = run();
    const waiting = await poll('the write waiting on the customer', async () => {
      // The statistics views are read once per transaction unless their snapshot is cleared.
      await holder.query('SELECT pg_stat_clear_snapshot()');
      const result = await holder.query<{ query: string; backend_xid: string | null }>(
        'SELECT query, backend_xid FROM pg_stat_activity WHERE $1 = ANY(pg_blocking_pids(pid))',
        [holderPid],
      );
      return result.rows[0] ?? null;
    });
    await holder.query('ROLLBACK');
    await running;
    return { query: waiting.query, heldRows: waiting.backend_xid !== null };
  }

  it('a subscription change (webhook, checkout return, reconciliation, a change answered) waits on the customer holding nothing', async () => {
    const waited = await whileCustomerIsHeld((tx) => recordProviderSubscription(tx, { provider: 'stripe', customerId, subscription: subscription(), version: later(), ...common() }));
    expect(waited).toEqual({ query: expect.stringMatching(/FROM customers WHERE id = \$1 FOR UPDATE/), heldRows: false });
    const row = await t.ctx.db.query<{ cancel_at_period_end: boolean }>('SELECT cancel_at_period_end FROM subscriptions WHERE id = $1', [subscriptionRowId]);
    expect(row.rows[0]!.cancel_at_period_end).toBe(true);
  });

  it('a payment waits on the customer holding nothing', async () => {
    const waited = await whileCustomerIsHeld((tx) => recordProviderPayment(tx, { provider: 'stripe', customerId, subscriptionId: subscriptionRowId, payment: payment(), version: later(), ...common() }));
    expect(waited.heldRows).toBe(false);
    expect((await t.ctx.db.query('SELECT 1 FROM payments WHERE provider_payment_id = $1', ['in_locked_first'])).rows).toHaveLength(1);
  });

  it('a webhook that links a new provider customer by recur’s metadata waits on the customer before writing the link', async () => {
    const snapshot = { ...emptySnapshot('cus_locked_first'), metadataCustomerId: customerId, subscription: subscription() };
    const waited = await whileCustomerIsHeld((tx) => applyProviderSnapshot(tx, snapshot, { provider: 'stripe', version: later(), defaultLocale: 'nl', ...common() }));
    expect(waited.heldRows).toBe(false);
    const link = await t.ctx.db.query<{ customer_id: string }>('SELECT customer_id FROM provider_customers WHERE provider_customer_id = $1', ['cus_locked_first']);
    expect(link.rows).toEqual([{ customer_id: customerId }]);
  });

  it('a repair of reconciliation locks the customer before the subscription it repairs', async () => {
    const waited = await whileCustomerIsHeld(async (tx) => expect((await lockStoredSubscription(tx, subscriptionRowId))?.id).toBe(subscriptionRowId));
    expect(waited.heldRows).toBe(false);
  });

  it('a fraud step locks the customer before it records what it did', async () => {
    const waited = await whileHeld(() =>
      runRiskStep(t.ctx.db, t.clock.now(), { key: 'lock-order:probe', customerId, actor: 'lock-order-test', entity: 'customer', entityId: customerId, action: 'fraud_suspected', describe: () => ({}) }),
    );
    expect(waited.heldRows).toBe(false);
    expect((await t.ctx.db.query('SELECT 1 FROM risk_actions WHERE step_key = $1', ['lock-order:probe'])).rows).toHaveLength(1);
  });
});
