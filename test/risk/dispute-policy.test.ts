import { afterEach, describe, expect, it } from 'vitest';
import type { ServiceSettings } from '../../src/services/service-context.ts';
import { testDatabaseKinds } from '../support/test-database.ts';
import { ADMINS, advanceSeconds, auditActions, riskFootprint, startRiskRecur, type RiskRecur } from './risk-recur.ts';

/**
 * A Stripe customer paying a monthly subscription with Stripe's test card that is disputed right
 * after the charge (pm_card_createDispute); recur learns of all of it from the webhooks alone.
 */
async function disputedSubscription(recur: RiskRecur): Promise<{ subscription: string; dispute: string; intent: string }> {
  const stripe = recur.kit.stripe;
  const customer = await stripe.customers.create({ email: 'chargeback@example.nl', payment_method: 'pm_card_createDispute', invoice_settings: { default_payment_method: 'pm_card_createDispute' } });
  const price = (await stripe.prices.list({ lookup_keys: ['recur_monthly'] })).data[0]!;
  const subscription = await stripe.subscriptions.create({ customer: customer.id, items: [{ price: price.id }], expand: ['latest_invoice.payments'] });
  expect(subscription.status).toBe('active');
  const [dispute] = (await stripe.disputes.list({ limit: 1 })).data;
  expect(dispute).toMatchObject({ status: 'needs_response', reason: 'fraudulent' });
  // The policy acts a while after the payment, as it would at Stripe (see advanceSeconds).
  await advanceSeconds(recur, 3600);
  return { subscription: subscription.id, dispute: dispute!.id, intent: String(dispute!.payment_intent) };
}

async function disputeRow(recur: RiskRecur, providerDisputeId: string) {
  const result = await recur.t.ctx.db.query<{ id: string; status: string; policy: string | null; outcome: string | null; evidence_due_by: Date | null; customer_id: string }>(
    'SELECT id, status, policy, outcome, evidence_due_by, customer_id FROM disputes WHERE provider_dispute_id = $1',
    [providerDisputeId],
  );
  return result.rows[0]!;
}

async function expectSubscriptionCanceledAndCustomerMarked(recur: RiskRecur, subscription: string, dispute: string, customerId: string): Promise<string> {
  expect((await recur.kit.stripe.subscriptions.retrieve(subscription)).status).toBe('canceled');
  const row = await recur.t.ctx.db.query<{ id: string; status: string }>('SELECT id, status FROM subscriptions WHERE provider_subscription_id = $1', [subscription]);
  expect(row.rows[0]!.status).toBe('canceled');
  expect(recur.calls.cancelSubscriptionNow).toEqual([`recur:cancel:${row.rows[0]!.id}:dispute`]);
  const customer = await recur.t.ctx.db.query('SELECT banned, disputed_at FROM customers WHERE id = $1', [customerId]);
  expect(customer.rows[0]).toEqual({ banned: false, disputed_at: expect.any(Date) });
  expect((await recur.t.ctx.db.query("SELECT business_key, template, recipient FROM notification_outbox WHERE template LIKE 'admin-%' ORDER BY business_key")).rows).toEqual([
    { business_key: `alert:dispute:${dispute}`, template: 'admin-alert-dispute', recipient: ADMINS[0] },
    { business_key: `alert:dispute:${dispute}:${ADMINS[1]}`, template: 'admin-alert-dispute', recipient: ADMINS[1] },
  ]);
  return row.rows[0]!.id;
}

async function disputeEvents(recur: RiskRecur, dispute: string): Promise<string[]> {
  const result = await recur.t.ctx.db.query<{ provider_event_id: string }>("SELECT provider_event_id FROM webhook_inbox WHERE type LIKE 'charge.dispute.%' AND payload->'data'->'object'->>'id' = $1 ORDER BY id", [dispute]);
  return result.rows.map((row) => row.provider_event_id);
}

/** Every dispute event applied once more past the inbox's dedupe: the footprint and Stripe's calls stay as they are. */
async function expectRepeatsChangeNothing(recur: RiskRecur, dispute: string): Promise<void> {
  const before = await riskFootprint(recur);
  const calls = structuredClone(recur.calls);
  for (const eventId of await disputeEvents(recur, dispute)) await recur.reapply(eventId);
  await recur.settle();
  expect(await riskFootprint(recur)).toEqual(before);
  expect(recur.calls).toEqual(calls);
}

const settingsFor = (policy: ServiceSettings['DISPUTE_POLICY']): Partial<ServiceSettings> => ({ DISPUTE_POLICY: policy });

describe.each(testDatabaseKinds)('disputes on %s (every webhook delivered twice)', (kind) => {
  let recur: RiskRecur | null = null;
  afterEach(async () => {
    await recur?.close();
    recur = null;
  });

  it("policy 'accept': closes the dispute at Stripe once, cancels the subscription, marks the customer, alerts once, records the outcome", async () => {
    recur = await startRiskRecur(kind, settingsFor('accept'));
    const { subscription, dispute, intent } = await disputedSubscription(recur);
    await recur.startRiskWorker();
    await recur.settle();

    expect(recur.calls.closeDispute).toEqual([`recur:dispute:accept:${dispute}`]);
    expect((await recur.kit.stripe.disputes.retrieve(dispute)).status).toBe('lost');
    const row = await disputeRow(recur, dispute);
    expect(row).toMatchObject({ status: 'lost', policy: 'accept', outcome: 'lost' });
    await expectSubscriptionCanceledAndCustomerMarked(recur, subscription, dispute, row.customer_id);
    expect((await auditActions(recur, 'dispute', row.id)).sort()).toEqual(['accept', 'close', 'dispute_alert', 'open']);
    expect((await auditActions(recur, 'customer', row.customer_id)).filter((action) => action === 'mark_disputed')).toHaveLength(1);
    // The payment stays `disputed` whatever the outcome (forward-only payments; the outcome is on the dispute).
    expect((await recur.t.ctx.db.query('SELECT status FROM payments WHERE provider_payment_id = $1', [intent])).rows).toEqual([{ status: 'disputed' }]);

    await expectRepeatsChangeNothing(recur, dispute);
  }, 60_000);

  it("policy 'hold': leaves the dispute open for evidence, cancels and alerts once; the won outcome is recorded when Stripe closes it", async () => {
    recur = await startRiskRecur(kind, settingsFor('hold'));
    const { subscription, dispute } = await disputedSubscription(recur);
    await recur.startRiskWorker();
    await recur.settle();

    expect(recur.calls.closeDispute).toEqual([]);
    const atStripe = await recur.kit.stripe.disputes.retrieve(dispute);
    expect(atStripe.status).toBe('needs_response');
    const held = await disputeRow(recur, dispute);
    expect(held).toMatchObject({ status: 'needs_response', policy: 'hold', outcome: null, evidence_due_by: new Date(atStripe.evidence_details.due_by! * 1000) });
    await expectSubscriptionCanceledAndCustomerMarked(recur, subscription, dispute, held.customer_id);
    await expectRepeatsChangeNothing(recur, dispute);

    // The shop submits evidence; Stripe's test evidence wins the dispute.
    await recur.kit.stripe.disputes.update(dispute, { evidence: { uncategorized_text: 'winning_evidence' } });
    await recur.settle();
    expect(await disputeRow(recur, dispute)).toMatchObject({ status: 'won', policy: 'hold', outcome: 'won' });
    expect((await auditActions(recur, 'dispute', held.id)).sort()).toEqual(['close', 'dispute_alert', 'hold_for_evidence', 'open']);
    await expectRepeatsChangeNothing(recur, dispute);
  }, 60_000);
});
