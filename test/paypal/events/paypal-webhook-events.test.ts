import { afterEach, describe, expect, it } from 'vitest';
import { insertInboxEvent } from '../../../src/db/repositories/webhook-inbox-repository.ts';
import { APPLY_DISPUTE_POLICY } from '../../../src/services/risk/risk-jobs.ts';
import { accessToken, paypalCall } from '../../sandbox/paypal/paypal-kit.ts';
import { testDatabaseKinds } from '../../support/test-database.ts';
import { DISPUTES, inboxReasons, onDay, PAYS, paymentRows, RENEWALS_FAIL, startPaypalRecur, subscriptionRow, type PaypalRecur, type WebhookFaults } from './paypal-events-kit.ts';

/** Waits until no job of this name is waiting, retrying or running (bounded). */
async function waitForJobs(recur: PaypalRecur, name: string): Promise<void> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const open = await recur.t.ctx.db.query<{ n: number }>("SELECT count(*)::int AS n FROM pgboss.job WHERE name = $1 AND state IN ('created', 'retry', 'active')", [name]);
    if (open.rows[0]!.n === 0) return;
    if (Date.now() > deadline) throw new Error(`${name} jobs still open after 30 s`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** PayPal's own word on a subscription's billing dates, read through its API. */
async function billingAtPaypal(recur: PaypalRecur, id: string): Promise<{ nextBillingTime: Date; lastPaymentTime: Date | null }> {
  const token = await accessToken(recur.sandbox.url);
  const body = (await paypalCall(recur.sandbox.url, token, 'GET', `/v1/billing/subscriptions/${id}`)).body as { billing_info: { next_billing_time: string; last_payment?: { time: string } } };
  return { nextBillingTime: new Date(body.billing_info.next_billing_time), lastPaymentTime: body.billing_info.last_payment ? new Date(body.billing_info.last_payment.time) : null };
}

/**
 * One paying and one failing subscriber from approval to day 40, checked at each step against
 * what PayPal says: trialing, then the charge at the trial's end (paid: active; declined: past due
 * from that first failure), PayPal's retry five days later (the failure's date does not move),
 * and the suspension at the plan's threshold.
 */
async function runTrialChargeAndFailures(recur: PaypalRecur): Promise<string> {
  const paying = await recur.subscribe(PAYS);
  const failing = await recur.subscribe(RENEWALS_FAIL);
  await recur.settle();
  for (const { subscriptionId, customerId } of [paying, failing]) {
    expect(await subscriptionRow(recur.t, subscriptionId)).toMatchObject({ status: 'trialing', provider_status: 'ACTIVE:TRIAL', customer_id: customerId, trial_end: onDay(30), past_due_since: null });
  }

  await recur.moveToDay(30);
  const paid = await billingAtPaypal(recur, paying.subscriptionId);
  expect(paid.lastPaymentTime).toEqual(onDay(30));
  expect(await subscriptionRow(recur.t, paying.subscriptionId)).toMatchObject({ status: 'active', provider_status: 'ACTIVE', trial_end: null, current_period_start: onDay(30), current_period_end: paid.nextBillingTime });
  const payments = await paymentRows(recur.t, paying.customerId);
  expect(payments).toHaveLength(1);
  expect(payments[0]).toMatchObject({ status: 'succeeded', amount_minor: 2999, currency: 'EUR' });
  expect(payments[0]!.subscription_id).not.toBeNull();
  expect(await subscriptionRow(recur.t, failing.subscriptionId)).toMatchObject({ status: 'past_due', provider_status: 'ACTIVE:PAYMENT_FAILED', past_due_since: onDay(30) });

  // PayPal's retry on day 35 fails too: the incident still began on day 30.
  await recur.moveToDay(35);
  expect(await subscriptionRow(recur.t, failing.subscriptionId)).toMatchObject({ status: 'past_due', provider_status: 'ACTIVE:PAYMENT_FAILED', past_due_since: onDay(30) });

  // The third failure reaches the plan's threshold: PayPal suspends it, still past due from day 30.
  await recur.moveToDay(40);
  expect(await subscriptionRow(recur.t, failing.subscriptionId)).toMatchObject({ status: 'past_due', provider_status: 'SUSPENDED:PAYMENT_FAILED', past_due_since: onDay(30) });
  expect(await paymentRows(recur.t, failing.customerId)).toEqual([]);
  expect(await subscriptionRow(recur.t, paying.subscriptionId)).toMatchObject({ status: 'active', current_period_start: onDay(30), current_period_end: paid.nextBillingTime });
  expect(await inboxReasons(recur.t, 'dead')).toEqual([]);
  return failing.subscriptionId;
}

describe.each(testDatabaseKinds)('PayPal webhook events applied by the worker on %s', (kind) => {
  let recur: PaypalRecur | undefined;
  afterEach(async () => {
    await recur?.close();
    recur = undefined;
  });

  it('trialing, then the charge at the trial end (active, PayPal\'s period), and a failing payer past due from the first failure to the suspension', async () => {
    recur = await startPaypalRecur(kind);
    const failing = await runTrialChargeAndFailures(recur);

    // The activation of day 0, delivered again after the suspension: older than what recur holds, it writes nothing.
    const rowBefore = await subscriptionRow(recur.t, failing);
    const audits = async () => (await recur!.t.ctx.db.query<{ n: number }>("SELECT count(*)::int AS n FROM audit_log WHERE entity = 'subscription'")).rows[0]!.n;
    const auditsBefore = await audits();
    const activated = await recur.t.ctx.db.query<{ id: string; provider_event_id: string; type: string; payload: unknown }>(
      "SELECT id, provider_event_id, type, payload FROM webhook_inbox WHERE type = 'BILLING.SUBSCRIPTION.ACTIVATED' AND payload->'resource'->>'id' = $1",
      [failing],
    );
    const { id, provider_event_id: providerEventId, type, payload } = activated.rows[0]!;
    const processor = recur.t.ctx.webhooks.processors.paypal!;
    const prepared = await processor({ id: Number(id), provider: 'paypal', providerEventId, type, payload, attempt: 2, receivedAt: recur.t.ctx.clock.now() });
    const outcome = await recur.t.ctx.db.transaction((tx) => prepared.apply(tx));
    expect(outcome).toEqual({ outcome: 'applied', summary: 'subscription stale' });
    expect(await subscriptionRow(recur.t, failing)).toEqual(rowBefore);
    expect(await audits()).toBe(auditsBefore);
  });

  it('records the sum of a sale\'s refunds read back from PayPal (5.00 and 3.00: 8.00 partially refunded, then the rest: refunded), each refund receipt once', async () => {
    // Every refund event twice, shuffled: each refund's read says the same total again.
    recur = await startPaypalRecur(kind, { duplicateRate: 1, duplicateCopies: 2, shuffle: true });
    const { customerId } = await recur.subscribe(PAYS);
    await recur.moveToDay(30);
    const [sale] = await paymentRows(recur.t, customerId);
    const token = await accessToken(recur.sandbox.url);
    const refund = (body: unknown) => paypalCall(recur!.sandbox.url, token, 'POST', `/v2/payments/captures/${sale!.provider_payment_id}/refund`, body);
    const refunded = async () =>
      (await recur!.t.ctx.db.query<{ status: string; amount_refunded_minor: number }>("SELECT status, amount_refunded_minor::int AS amount_refunded_minor FROM payments WHERE provider = 'paypal' AND provider_payment_id = $1", [sale!.provider_payment_id])).rows[0];
    const refundReceipts = async () =>
      (await recur!.t.ctx.db.query<{ business_key: string }>("SELECT business_key FROM notification_outbox WHERE template = 'refund-receipt' AND channel = 'email' ORDER BY business_key")).rows.map((row) => row.business_key);

    expect((await refund({ amount: { currency_code: 'EUR', value: '5.00' } })).status).toBe(201);
    expect((await refund({ amount: { currency_code: 'EUR', value: '3.00' } })).status).toBe(201);
    await recur.settle();
    expect(await refunded()).toEqual({ status: 'partially_refunded', amount_refunded_minor: 800 });

    expect((await refund({})).status).toBe(201);
    await recur.settle();
    expect(await refunded()).toEqual({ status: 'refunded', amount_refunded_minor: 2999 });
    expect((await inboxReasons(recur.t, 'processed')).filter((row) => row.type === 'PAYMENT.SALE.REFUNDED')).toHaveLength(3);
    // A refund receipt for each total recur saw the refunds grow to (5.00 may be skipped when 3.00's read came first), none for a repeated read.
    const totals = (await refundReceipts()).map((key) => Number(key.split(':').at(-1)));
    expect(totals).toEqual(expect.arrayContaining([800, 2999]));
    expect(totals.every((total) => [500, 800, 2999].includes(total))).toBe(true);
  });

  it('records a reversed sale (PAYMENT.SALE.REVERSED, the dispute\'s own events lost) as a charge-back: disputed, never pending', async () => {
    recur = await startPaypalRecur(kind, { dropEventTypes: ['CUSTOMER.DISPUTE.CREATED', 'CUSTOMER.DISPUTE.UPDATED', 'CUSTOMER.DISPUTE.RESOLVED'] });
    const { customerId } = await recur.subscribe(DISPUTES);
    await recur.moveToDay(30);
    const [sale] = await paymentRows(recur.t, customerId);
    expect(sale).toMatchObject({ status: 'succeeded' });
    await recur.moveToDay(31);
    const token = await accessToken(recur.sandbox.url);
    const disputes = (await paypalCall(recur.sandbox.url, token, 'GET', `/v1/customer/disputes?disputed_transaction_id=${sale!.provider_payment_id}`)).body as { items: { dispute_id: string }[] };
    expect(disputes.items).toHaveLength(1);
    // Without its dispute events recur still holds the sale as paid.
    expect((await paymentRows(recur.t, customerId))[0]).toMatchObject({ status: 'succeeded' });

    const adjudicated = await paypalCall(recur.sandbox.url, token, 'POST', `/v1/customer/disputes/${disputes.items[0]!.dispute_id}/adjudicate`, { adjudication_outcome: 'BUYER_FAVOR' });
    expect(adjudicated.status).toBe(200);
    await recur.settle();
    expect((await inboxReasons(recur.t, 'processed')).filter((row) => row.type === 'PAYMENT.SALE.REVERSED')).toHaveLength(1);
    expect((await paymentRows(recur.t, customerId))[0]).toMatchObject({ provider_payment_id: sale!.provider_payment_id, status: 'disputed', amount_minor: 2999 });
  });

  it('ends in the same state with every event delivered three times, in shuffled order', async () => {
    const faults: WebhookFaults = { duplicateRate: 1, duplicateCopies: 3, shuffle: true };
    recur = await startPaypalRecur(kind, faults);
    await runTrialChargeAndFailures(recur);
    // Every event reached recur three times and was stored once.
    const delivered = recur.sandbox.ctx.webhooks.deliveries().filter((delivery) => delivery.url === `${recur!.baseUrl}/webhooks/paypal` && delivery.status === 'delivered');
    const events = new Set(delivered.map((delivery) => delivery.eventId));
    expect(events.size).toBeGreaterThan(5);
    expect(delivered).toHaveLength(events.size * 3);
    const stored = await recur.t.ctx.db.query<{ n: number }>("SELECT count(*)::int AS n FROM webhook_inbox WHERE provider = 'paypal'");
    expect(stored.rows[0]!.n).toBe(events.size);
  });

  it("records a dispute through the disputing payer and queues the policy once; PayPal's outcome on RESOLVED", async () => {
    recur = await startPaypalRecur(kind);
    const { customerId, subscriptionId } = await recur.subscribe(DISPUTES);
    await recur.moveToDay(30);
    const [sale] = await paymentRows(recur.t, customerId);
    expect(sale).toMatchObject({ status: 'succeeded', amount_minor: 2999 });

    // The disputing payer disputes the first payment a day later.
    await recur.moveToDay(31);
    const disputes = await recur.t.ctx.db.query<{ id: string; provider_dispute_id: string; status: string; outcome: string | null; payment_id: string | null; customer_id: string; amount_minor: number }>(
      "SELECT id, provider_dispute_id, status, outcome, payment_id, customer_id, amount_minor::int AS amount_minor FROM disputes WHERE provider = 'paypal'",
    );
    expect(disputes.rows).toHaveLength(1);
    const dispute = disputes.rows[0]!;
    const payment = await recur.t.ctx.db.query<{ id: string }>("SELECT id FROM payments WHERE provider = 'paypal' AND provider_payment_id = $1", [sale!.provider_payment_id]);
    expect(dispute).toMatchObject({ status: 'WAITING_FOR_SELLER_RESPONSE', outcome: null, customer_id: customerId, payment_id: payment.rows[0]!.id, amount_minor: 2999 });
    const policies = async () => (await recur!.t.ctx.db.query<{ n: number }>('SELECT count(*)::int AS n FROM pgboss.job WHERE name = $1', [APPLY_DISPUTE_POLICY])).rows[0]!.n;
    expect(await policies()).toBe(1);
    expect((await paymentRows(recur.t, customerId))[0]).toMatchObject({ provider_payment_id: sale!.provider_payment_id, status: 'disputed' });

    // The policy (hold, the default) ends the disputed subscription at PayPal; PayPal's CANCELLED
    // event brings the row along, dated by PayPal's status change.
    await waitForJobs(recur, APPLY_DISPUTE_POLICY);
    await recur.settle();
    expect((await recur.t.ctx.db.query<{ policy: string | null }>('SELECT policy FROM disputes WHERE id = $1', [dispute.id])).rows[0]).toEqual({ policy: 'hold' });
    expect(await subscriptionRow(recur.t, subscriptionId)).toMatchObject({ status: 'canceled', provider_status: 'CANCELLED', canceled_at: onDay(31) });

    // Unanswered for ten days it goes to PayPal's review; PayPal then decides for the seller.
    await recur.moveToDay(42);
    const token = await accessToken(recur.sandbox.url);
    const adjudicated = await paypalCall(recur.sandbox.url, token, 'POST', `/v1/customer/disputes/${dispute.provider_dispute_id}/adjudicate`, { adjudication_outcome: 'SELLER_FAVOR' });
    expect(adjudicated.status).toBe(200);
    await recur.settle();
    const resolved = await recur.t.ctx.db.query<{ status: string; outcome: string | null }>('SELECT status, outcome FROM disputes WHERE id = $1', [dispute.id]);
    expect(resolved.rows[0]).toEqual({ status: 'RESOLVED', outcome: 'RESOLVED_SELLER_FAVOUR' });
    expect(await policies()).toBe(1);
    const notes = await recur.t.ctx.db.query<{ action: string }>("SELECT action FROM audit_log WHERE entity = 'payment' AND actor LIKE 'webhook:paypal:%' AND action LIKE 'dispute_%'");
    expect(notes.rows.map((row) => row.action).sort()).toEqual(['dispute_closed', 'dispute_opened', 'dispute_updated']);
  });

  it('ignores an event about a subscription PayPal does not have, and a body that is not a PayPal event, saying so, and writes nothing', async () => {
    recur = await startPaypalRecur(kind);
    const now = recur.t.ctx.clock.now();
    const payload = {
      id: 'WH-UNKNOWN-1',
      event_version: '1.0',
      create_time: now.toISOString(),
      resource_type: 'subscription',
      event_type: 'BILLING.SUBSCRIPTION.ACTIVATED',
      summary: 'Subscription I-DOESNOTEXIST activated',
      resource: { id: 'I-DOESNOTEXIST', status: 'ACTIVE', custom_id: '00000000-0000-4000-8000-000000000000', subscriber: { payer_id: 'FORGEDPAYER' } },
    };
    await insertInboxEvent(recur.t.ctx.db, { provider: 'paypal', providerEventId: payload.id, type: payload.event_type, payload, providerCreatedAt: now }, now);
    // A body PayPal signed that is not a PayPal event: ignored with the reason, not retried.
    const malformed = { id: 'WH-MALFORMED-1', event_type: 'BILLING.SUBSCRIPTION.ACTIVATED', resource: 'I-DOESNOTEXIST' };
    await insertInboxEvent(recur.t.ctx.db, { provider: 'paypal', providerEventId: malformed.id, type: malformed.event_type, payload: malformed, providerCreatedAt: null }, now);
    await recur.settle();
    expect(await inboxReasons(recur.t, 'ignored')).toEqual([
      { type: 'BILLING.SUBSCRIPTION.ACTIVATED', last_error: 'ignored: subscription I-DOESNOTEXIST does not exist at PayPal (the event is not applied)' },
      { type: 'BILLING.SUBSCRIPTION.ACTIVATED', last_error: expect.stringMatching(/^ignored: not a PayPal event: create_time: /) },
    ]);
    expect(await subscriptionRow(recur.t, 'I-DOESNOTEXIST')).toBeNull();
    const customers = await recur.t.ctx.db.query<{ n: number }>('SELECT count(*)::int AS n FROM customers');
    expect(customers.rows[0]!.n).toBe(0);
  });
});
