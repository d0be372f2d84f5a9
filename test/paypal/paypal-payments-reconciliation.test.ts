import { afterEach, describe, expect, it } from 'vitest';
import { linkProviderCustomer } from '../../src/db/repositories/provider-customer-repository.ts';
import { reconcileProvider } from '../../src/services/reconciliation/reconcile-provider.ts';
import { accessToken, paypalCall } from '../sandbox/paypal/paypal-kit.ts';
import { seedCustomer } from '../support/seed.ts';
import { testDatabaseKinds } from '../support/test-database.ts';
import { onDay, PAYS, paymentRows, RENEWALS_FAIL, startPaypalRecur, type PaypalRecur } from './events/paypal-events-kit.ts';

type Transaction = { id: string; status: string; time: string; amount_with_breakdown: { gross_amount: { value: string; currency_code: string } } };
const STATUS: Record<string, string> = { COMPLETED: 'succeeded', DECLINED: 'failed', PARTIALLY_REFUNDED: 'partially_refunded', REFUNDED: 'refunded' };

/** PayPal's transactions of one subscription, through its REST API, in recur's payment shape. */
async function transactionsAtPaypal(recur: PaypalRecur, subscriptionId: string) {
  const token = await accessToken(recur.sandbox.url);
  const body = (await paypalCall(recur.sandbox.url, token, 'GET', `/v1/billing/subscriptions/${subscriptionId}/transactions?start_time=2000-01-01T00:00:00Z&end_time=2100-01-01T00:00:00Z`)).body as { transactions: Transaction[] };
  return body.transactions.map((transaction) => ({
    provider_payment_id: transaction.id,
    status: STATUS[transaction.status],
    amount_minor: Math.round(Number(transaction.amount_with_breakdown.gross_amount.value) * 100),
    currency: transaction.amount_with_breakdown.gross_amount.currency_code,
    at: new Date(transaction.time).toISOString(),
  }));
}

async function recurPayments(recur: PaypalRecur, customerId: string) {
  const rows = await recur.t.ctx.db.query<{ provider_payment_id: string; status: string; amount_minor: number; currency: string; at: Date }>(
    "SELECT provider_payment_id, status, amount_minor::int AS amount_minor, currency, invoice_at AS at FROM payments WHERE provider = 'paypal' AND customer_id = $1",
    [customerId],
  );
  return rows.rows.map((row) => ({ ...row, at: row.at.toISOString() }));
}

const byId = <T extends { provider_payment_id: string }>(rows: T[]) => [...rows].sort((a, b) => a.provider_payment_id.localeCompare(b.provider_payment_id));

/** Requests the PayPal sandbox received since the last call (the counter is reset each time). */
async function paypalRequests(recur: PaypalRecur): Promise<Record<string, number>> {
  const counts = ((await (await fetch(`${recur.sandbox.url}/sandbox/requests`)).json()) as { counts: Record<string, number> }).counts;
  await fetch(`${recur.sandbox.url}/sandbox/requests`, { method: 'DELETE' });
  return Object.fromEntries(Object.entries(counts).filter(([route]) => route.startsWith('paypal ') && !route.includes('/oauth2/')));
}

const total = (counts: Record<string, number>) => Object.values(counts).reduce((sum, n) => sum + n, 0);

describe.each(testDatabaseKinds)('PayPal payments recovered by reconciliation on %s', (kind) => {
  let recur: PaypalRecur | undefined;
  afterEach(async () => {
    await recur?.close();
    recur = undefined;
  });

  const sync = () => reconcileProvider(recur!.t.ctx, { provider: 'paypal', trigger: 'cli' });
  const items = async (runId: string) =>
    (await recur!.t.ctx.db.query<{ kind: string; provider_object_id: string; action: string }>('SELECT kind, provider_object_id, action FROM reconciliation_items WHERE run_id = $1', [runId])).rows;

  it('every event dropped: the run records the payments with PayPal\'s dates and amounts, a second run reads no payments and changes nothing, a later one reads only what was paid since', async () => {
    recur = await startPaypalRecur(kind, { dropRate: 1 });
    const paying = await recur.subscribe(PAYS);
    const failing = await recur.subscribe(RENEWALS_FAIL);
    await recur.moveToDay(62);
    // Not one event reached recur.
    expect((await recur.t.ctx.db.query<{ n: number }>('SELECT count(*)::int AS n FROM webhook_inbox')).rows[0]!.n).toBe(0);
    const paid = await transactionsAtPaypal(recur, paying.subscriptionId);
    const declined = await transactionsAtPaypal(recur, failing.subscriptionId);
    expect(paid.map((payment) => [payment.status, payment.at, payment.amount_minor, payment.currency])).toEqual([
      ['succeeded', onDay(30).toISOString(), 2999, 'EUR'],
      ['succeeded', onDay(60).toISOString(), 2999, 'EUR'],
    ]);
    expect(declined.map((payment) => payment.status)).toEqual(['failed', 'failed', 'failed']);

    await paypalRequests(recur);
    const first = await sync();
    expect(first.status).toBe('succeeded');
    expect(first.counts).toMatchObject({ missing_locally: 2, missing_payment: 5 });
    expect(byId(await recurPayments(recur, paying.customerId))).toEqual(byId(paid));
    expect(byId(await recurPayments(recur, failing.customerId))).toEqual(byId(declined));
    const recovered = (await items(first.id)).filter((item) => item.kind === 'missing_payment');
    expect(recovered.map((item) => item.provider_object_id).sort()).toEqual([...paid, ...declined].map((payment) => payment.provider_payment_id).sort());
    expect(recovered.every((item) => item.action === 'recorded from PayPal')).toBe(true);
    // One read of each subscription's payments, and the past-due one's read by id for when its incident began.
    expect((await paypalRequests(recur))['paypal GET /paypal/v1/billing/subscriptions/:id/transactions']).toBe(3);
    // A receipt for each recovered payment, dated PayPal's payment time. The failing customer hears
    // of the failure once, from the subscription's past-due state (the incident that began on day 30),
    // and not again for each recovered declined attempt.
    const notices = await recur.t.ctx.db.query<{ template: string; customer_id: string; paid_at: string | null; failed_at: string | null }>(
      "SELECT template, customer_id, payload->'payment'->>'paid_at' AS paid_at, payload->>'failed_at' AS failed_at FROM notification_outbox WHERE channel = 'email' AND template IN ('receipt', 'payment-failed') ORDER BY template, paid_at",
    );
    expect(notices.rows).toEqual([
      { template: 'payment-failed', customer_id: failing.customerId, paid_at: null, failed_at: onDay(30).toISOString() },
      { template: 'receipt', customer_id: paying.customerId, paid_at: onDay(30).toISOString(), failed_at: null },
      { template: 'receipt', customer_id: paying.customerId, paid_at: onDay(60).toISOString(), failed_at: null },
    ]);

    // No drift: the subscriptions page, the plans, and the past-due subscription read by id with its
    // transactions (for when its incident began, as every run does); no payments read, nothing written.
    const second = await sync();
    expect(second.counts).toEqual({});
    const noDrift = await paypalRequests(recur);
    expect(noDrift['paypal GET /paypal/v1/billing/subscriptions/:id/transactions']).toBe(1);
    expect(noDrift['paypal GET /paypal/v1/billing/subscriptions/:id']).toBe(1);
    expect(total(noDrift)).toBeLessThanOrEqual(6);
    console.info(`[paypal-payments-reconciliation] no-drift run: ${total(noDrift)} PayPal requests (${JSON.stringify(noDrift)}); run's own count ${second.requests}`);

    // A month later the paying subscription renews (its event dropped too): only it is read, from the last run on.
    await recur.moveToDay(91);
    const third = await sync();
    expect(third.counts).toEqual({ missing_payment: 1, stale_period: 1 });
    // The renewed one's payments, and the past-due one's incident as on every run.
    expect((await paypalRequests(recur))['paypal GET /paypal/v1/billing/subscriptions/:id/transactions']).toBe(2);
    expect(byId(await recurPayments(recur, paying.customerId))).toEqual(byId(await transactionsAtPaypal(recur, paying.subscriptionId)));
  });

  it('records the renewal whose sale event was lost, and leaves the payment recur holds further along (partly refunded) as it is', async () => {
    recur = await startPaypalRecur(kind);
    const { customerId } = await recur.subscribe(PAYS);
    await recur.moveToDay(30);
    const [first] = await paymentRows(recur.t, customerId);
    expect(first).toMatchObject({ status: 'succeeded' });
    // recur holds more than the transactions list can say (a refund of 5.00 recorded from its event).
    await recur.t.ctx.db.query("UPDATE payments SET status = 'partially_refunded', amount_refunded_minor = 500 WHERE provider_payment_id = $1", [first!.provider_payment_id]);
    const faults = await fetch(`${recur.sandbox.url}/sandbox/faults`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ webhooks: [{ provider: 'paypal', dropEventTypes: ['PAYMENT.SALE.COMPLETED'] }] }) });
    expect(faults.ok).toBe(true);
    await recur.moveToDay(60);
    expect(await paymentRows(recur.t, customerId)).toHaveLength(1);

    const run = await sync();
    expect(run.counts).toMatchObject({ missing_payment: 1 });
    expect(run.counts).not.toHaveProperty('stale_payment');
    const rows = await recur.t.ctx.db.query<{ provider_payment_id: string; status: string; refunded: number; at: Date }>(
      "SELECT provider_payment_id, status, amount_refunded_minor::int AS refunded, invoice_at AS at FROM payments WHERE customer_id = $1 ORDER BY invoice_at",
      [customerId],
    );
    expect(rows.rows.map((row) => [row.status, row.refunded, row.at.toISOString()])).toEqual([
      ['partially_refunded', 500, onDay(30).toISOString()],
      ['succeeded', 0, onDay(60).toISOString()],
    ]);
    expect((await items(run.id)).find((item) => item.kind === 'missing_payment')?.provider_object_id).toBe(rows.rows[1]!.provider_payment_id);
  });

  it('one PayPal payer pays for two recur customers: each keeps its own link and its own payments; a Stripe customer still belongs to one', async () => {
    recur = await startPaypalRecur(kind);
    const first = await recur.subscribe(PAYS);
    const second = await recur.subscribe(PAYS);
    await recur.moveToDay(30);
    const links = await recur.t.ctx.db.query<{ customer_id: string; provider_customer_id: string }>("SELECT customer_id, provider_customer_id FROM provider_customers WHERE provider = 'paypal' ORDER BY created_at, id");
    expect(links.rows.map((row) => row.customer_id).sort()).toEqual([first.customerId, second.customerId].sort());
    expect(new Set(links.rows.map((row) => row.provider_customer_id)).size).toBe(1);
    for (const { customerId, subscriptionId } of [first, second]) {
      const payments = await paymentRows(recur.t, customerId);
      expect(payments).toHaveLength(1);
      const owner = await recur.t.ctx.db.query<{ provider_subscription_id: string }>('SELECT provider_subscription_id FROM subscriptions WHERE id = $1', [payments[0]!.subscription_id]);
      expect(owner.rows[0]!.provider_subscription_id).toBe(subscriptionId);
    }
    // Reconciliation agrees: nothing to repair, no several-live alert for the shared payer.
    const run = await sync();
    expect(run.counts).toEqual({});

    const annie = await seedCustomer(recur.t, 'stripe-owner-1');
    const bert = await seedCustomer(recur.t, 'stripe-owner-2');
    const now = recur.t.ctx.clock.now();
    const linked = await recur.t.ctx.db.transaction(async (tx) => [
      await linkProviderCustomer(tx, { customerId: annie, provider: 'stripe', providerCustomerId: 'cus_shared' }, now),
      await linkProviderCustomer(tx, { customerId: bert, provider: 'stripe', providerCustomerId: 'cus_shared' }, now),
    ]);
    expect(linked).toEqual(['cus_shared', null]);
  });
});
