import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { reconcileProvider } from '../../src/services/reconciliation/reconcile-provider.ts';
import { sandboxStart } from '../sandbox/paypal/paypal-kit.ts';
import { seedCustomer } from '../support/seed.ts';
import { testDatabaseKinds } from '../support/test-database.ts';
import { startPaypalTestApp, subscribeThroughRecur, type PaypalTestApp } from './paypal-test-kit.ts';

const DAY_MS = 86_400_000;
const onDay = (day: number) => new Date(sandboxStart.getTime() + day * DAY_MS);

describe.each(testDatabaseKinds)('reconciling recur with PayPal (recur sync paypal) on %s', (kind) => {
  let kit: PaypalTestApp;
  beforeAll(async () => {
    kit = await startPaypalTestApp(kind);
  }, 60_000);
  afterAll(() => kit.stop());

  const api = (url: string) => kit.t.app.inject({ method: 'GET', url, headers: { authorization: kit.t.auth } });
  const sync = () => reconcileProvider(kit.t.ctx, { provider: 'paypal', trigger: 'cli' });

  it('repairs a drifted row from PayPal\'s subscriptions, past due since the first failure, and agrees on the next run', async () => {
    await seedCustomer(kit.t, 'rc-4001');
    const { subscriptionId: trialing } = await subscribeThroughRecur(kit, 'rc-4001', 'monthly');
    await seedCustomer(kit.t, 'rc-4002');
    const { subscriptionId: failing } = await subscribeThroughRecur(kit, 'rc-4002', 'monthly', 'renewals-fail@payers.recur.test');

    // recur's row drifts (a lost webhook's worth): the status, and the renewal PayPal has meanwhile failed.
    await kit.t.ctx.db.query("UPDATE subscriptions SET status = 'canceled', provider_status = 'CANCELLED', canceled_at = $2 WHERE id = $1", [trialing, kit.t.clock.now()]);
    await kit.sandbox.advance(onDay(36));

    const run = await sync();
    expect(run).toMatchObject({ provider: 'paypal', status: 'succeeded' });
    const report = (await api(`/v1/reconciliation/runs/${run.id}`)).json() as { items: { provider_object_id: string; kind: string; action: string }[] };
    const subscriptionItems = report.items.filter((item) => !item.kind.endsWith('_payment'));
    expect(subscriptionItems.length).toBeGreaterThan(0);
    expect(subscriptionItems.every((item) => item.action === 'repaired from PayPal')).toBe(true);
    // No webhook reached recur: the run read the charged and the declined renewals from PayPal's transactions.
    const payments = (await kit.t.ctx.db.query<{ provider_payment_id: string; status: string; invoice_at: Date }>('SELECT provider_payment_id, status, invoice_at FROM payments ORDER BY invoice_at, status DESC')).rows;
    expect(payments.map((payment) => [payment.status, payment.invoice_at.toISOString()])).toEqual([['succeeded', onDay(30).toISOString()], ['failed', onDay(30).toISOString()], ['failed', onDay(35).toISOString()]]);
    expect(report.items.filter((item) => item.kind === 'missing_payment').map((item) => item.provider_object_id).sort()).toEqual(payments.map((payment) => payment.provider_payment_id).sort());
    expect(report.items.filter((item) => item.kind === 'missing_payment').every((item) => item.action === 'recorded from PayPal')).toBe(true);

    // Its trial ended on day 30 and PayPal charged it: active, whatever recur's row said.
    expect((await api(`/v1/subscriptions/${trialing}`)).json()).toMatchObject({ status: 'active', provider_status: 'ACTIVE', canceled_at: null });
    expect((await api(`/v1/subscriptions/${failing}`)).json()).toMatchObject({ status: 'past_due', provider_status: 'ACTIVE:PAYMENT_FAILED' });
    const pastDueSince = (await kit.t.ctx.db.query<{ past_due_since: Date }>('SELECT past_due_since FROM subscriptions WHERE id = $1', [failing])).rows[0]!.past_due_since;
    expect(pastDueSince.toISOString()).toBe(onDay(30).toISOString());

    const again = await sync();
    expect(again.counts).toEqual({});
  });

  it('records a subscription recur never heard of, under the customer its custom_id names', async () => {
    const customerId = await seedCustomer(kit.t, 'rc-4003');
    const { subscriptionId } = await subscribeThroughRecur(kit, 'rc-4003', 'yearly');
    const paypalId = (await api(`/v1/subscriptions/${subscriptionId}`)).json().provider_subscription_id as string;
    await kit.t.ctx.db.query('DELETE FROM payments WHERE subscription_id = $1', [subscriptionId]);
    await kit.t.ctx.db.query('DELETE FROM notification_outbox WHERE subscription_id = $1', [subscriptionId]);
    await kit.t.ctx.db.query('UPDATE checkout_sessions SET subscription_id = NULL WHERE subscription_id = $1', [subscriptionId]);
    await kit.t.ctx.db.query('DELETE FROM subscriptions WHERE id = $1', [subscriptionId]);

    const run = await sync();
    const report = (await api(`/v1/reconciliation/runs/${run.id}`)).json() as { items: { provider_object_id: string; kind: string; action: string }[] };
    expect(report.items).toEqual([expect.objectContaining({ provider_object_id: paypalId, kind: 'missing_locally', action: 'recorded from PayPal' })]);
    const rows = (await kit.t.ctx.db.query<{ customer_id: string; status: string }>("SELECT customer_id, status FROM subscriptions WHERE provider = 'paypal' AND provider_subscription_id = $1", [paypalId])).rows;
    expect(rows).toEqual([{ customer_id: customerId, status: 'trialing' }]);
  });
});
