import type Stripe from 'stripe';
import { afterEach, describe, expect, it } from 'vitest';
import { testDatabaseKinds } from '../support/test-database.ts';
import { ADMINS, advanceSeconds, auditActions, count, riskFootprint, startRiskRecur, type RiskRecur } from './risk-recur.ts';

const form = (fields: Record<string, string>) => ({ method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(fields).toString(), redirect: 'manual' as const });

/** A recur customer who checked out the monthly plan (30-day trial, nothing paid) with Visa 4242. */
async function trialingCustomer(recur: RiskRecur, externalId: string): Promise<{ customerId: string; stripeCustomer: string; subscription: string }> {
  const api = (path: string, body: unknown) =>
    fetch(`${recur.baseUrl}${path}`, { method: 'POST', headers: { authorization: recur.t.auth, 'content-type': 'application/json' }, body: JSON.stringify(body) });
  expect((await api('/v1/customers', { external_id: externalId, email: `${externalId}@example.nl`, locale: 'nl' })).status).toBe(201);
  const started = await api('/v1/checkout', { customer: externalId, plan: 'monthly', provider: 'stripe', return_url: 'https://shop.example/account' });
  expect(started.status).toBe(201);
  const { url, session_id } = (await started.json()) as { url: string; session_id: string };
  expect((await fetch(url, form({ card: 'pm_card_visa', action: 'pay' }))).status).toBe(303);
  const session = await recur.kit.stripe.checkout.sessions.retrieve(session_id);
  const row = await recur.t.ctx.db.query<{ id: string }>('SELECT id FROM customers WHERE external_id = $1', [externalId]);
  return { customerId: row.rows[0]!.id, stripeCustomer: String(session.customer), subscription: String(session.subscription) };
}

/** One PaymentIntent for the customer confirmed with Stripe's always-declined test card; Stripe answers 402 and emits charge.failed. */
async function declineOnce(stripe: Stripe, customer: string): Promise<void> {
  await expect(stripe.paymentIntents.create({ amount: 2999, currency: 'eur', customer, payment_method: 'pm_card_chargeDeclined', confirm: true })).rejects.toMatchObject({ code: 'card_declined' });
}

async function failedChargeEvents(recur: RiskRecur, stripeCustomer: string): Promise<string[]> {
  const result = await recur.t.ctx.db.query<{ provider_event_id: string }>("SELECT provider_event_id FROM webhook_inbox WHERE type = 'charge.failed' AND payload->'data'->'object'->>'customer' = $1 ORDER BY id", [stripeCustomer]);
  return result.rows.map((row) => row.provider_event_id);
}

describe.each(testDatabaseKinds)('fraud: declined charges on %s (every webhook delivered twice)', (kind) => {
  let recur: RiskRecur | null = null;
  afterEach(async () => {
    await recur?.close();
    recur = null;
  });

  it('does nothing at four declines; at the fifth bans the customer, cancels the subscription and alerts each admin once', async () => {
    recur = await startRiskRecur(kind, { FRAUD_DECLINE_THRESHOLD: 5, FRAUD_REFUND_POLICY: 'all' });
    const { customerId, stripeCustomer, subscription } = await trialingCustomer(recur, 'shop-fraud-1');
    await recur.startRiskWorker();
    await advanceSeconds(recur, 3600);
    for (let i = 0; i < 4; i++) await declineOnce(recur.kit.stripe, stripeCustomer);
    await recur.settle();

    // The review ran (queued by the declines) and found four: below the threshold, nothing done.
    expect(await count(recur, "SELECT count(*)::int AS n FROM pgboss.job WHERE name = 'review-declined-charges' AND state = 'completed'")).toBeGreaterThanOrEqual(1);
    expect(await failedChargeEvents(recur, stripeCustomer)).toHaveLength(4);
    expect(await count(recur, 'SELECT count(*)::int AS n FROM risk_actions')).toBe(0);
    expect(await count(recur, "SELECT count(*)::int AS n FROM notification_outbox WHERE template LIKE 'admin-%'")).toBe(0);
    expect((await recur.t.ctx.db.query('SELECT banned FROM customers WHERE id = $1', [customerId])).rows).toEqual([{ banned: false }]);
    expect((await recur.kit.stripe.subscriptions.retrieve(subscription)).status).toBe('trialing');

    await declineOnce(recur.kit.stripe, stripeCustomer);
    await recur.settle();

    const customer = await recur.t.ctx.db.query<{ banned: boolean; banned_reason: string; banned_at: Date }>('SELECT banned, banned_reason, banned_at FROM customers WHERE id = $1', [customerId]);
    expect(customer.rows[0]).toMatchObject({ banned: true, banned_reason: expect.stringContaining('5 declined charges in 30 days'), banned_at: expect.any(Date) });
    expect((await recur.kit.stripe.subscriptions.retrieve(subscription)).status).toBe('canceled');
    const recurSubscription = await recur.t.ctx.db.query<{ id: string; status: string }>('SELECT id, status FROM subscriptions WHERE provider_subscription_id = $1', [subscription]);
    expect(recurSubscription.rows[0]!.status).toBe('canceled');
    const subscriptionId = recurSubscription.rows[0]!.id;
    expect(recur.calls.cancelSubscriptionNow).toEqual([`recur:cancel:${subscriptionId}:fraud`]);
    // Nothing was ever paid, so there is nothing to refund under policy 'all'.
    expect(recur.calls.refundCharge).toEqual([]);
    const outbox = await recur.t.ctx.db.query("SELECT business_key, template, recipient FROM notification_outbox WHERE template LIKE 'admin-%' ORDER BY business_key");
    expect(outbox.rows).toEqual([
      { business_key: `alert:fraud-ban:${customerId}`, template: 'admin-alert-fraud-ban', recipient: ADMINS[0] },
      { business_key: `alert:fraud-ban:${customerId}:${ADMINS[1]}`, template: 'admin-alert-fraud-ban', recipient: ADMINS[1] },
    ]);
    expect((await auditActions(recur, 'customer', customerId)).filter((action) => ['ban', 'fraud_alert', 'fraud_suspected'].includes(action))).toEqual(['ban', 'fraud_alert']);
    expect(await auditActions(recur, 'subscription', subscriptionId)).toContain('cancel_for_fraud');
    expect((await auditActions(recur, 'subscription', subscriptionId)).filter((action) => action === 'cancel_for_fraud')).toHaveLength(1);
    expect((await recur.t.ctx.db.query('SELECT step_key FROM risk_actions ORDER BY step_key')).rows).toEqual([
      { step_key: `cancel:${subscriptionId}:fraud` },
      { step_key: `fraud:alert:${customerId}` },
      { step_key: `fraud:ban:${customerId}` },
    ]);
    // The banned customer is refused at the entitlement check.
    const entitlement = await fetch(`${recur.baseUrl}/v1/customers/shop-fraud-1/entitlement`, { headers: { authorization: recur.t.auth } });
    expect(await entitlement.json()).toMatchObject({ entitled: false, reason: 'banned' });

    // Every charge.failed applied once more past the inbox's dedupe (a replay): reviews run again, nothing changes.
    const before = await riskFootprint(recur);
    for (const eventId of await failedChargeEvents(recur, stripeCustomer)) await recur.reapply(eventId);
    await recur.settle();
    expect(await riskFootprint(recur)).toEqual(before);
    expect(recur.calls.cancelSubscriptionNow).toHaveLength(1);
  }, 60_000);

  it('only alerts the admins about a customer who has paid before', async () => {
    recur = await startRiskRecur(kind, { FRAUD_DECLINE_THRESHOLD: 5 });
    await recur.startRiskWorker();
    const stripe = recur.kit.stripe;
    const payer = await stripe.customers.create({ email: 'payer@example.nl' });
    const paid = await stripe.paymentIntents.create({ amount: 2999, currency: 'eur', customer: payer.id, payment_method: 'pm_card_visa', confirm: true });
    expect(paid.status).toBe('succeeded');
    for (let i = 0; i < 5; i++) await declineOnce(stripe, payer.id);
    await recur.settle();

    const customer = await recur.t.ctx.db.query<{ id: string; banned: boolean }>('SELECT id, banned FROM customers WHERE external_id = $1', [`stripe:${payer.id}`]);
    const customerId = customer.rows[0]!.id;
    expect(customer.rows[0]!.banned).toBe(false);
    const windowDay = new Date(recur.t.ctx.clock.now().getTime() - 30 * 86_400_000).toISOString().slice(0, 10);
    expect((await recur.t.ctx.db.query("SELECT business_key, template FROM notification_outbox WHERE template LIKE 'admin-%' ORDER BY business_key")).rows).toEqual([
      { business_key: `alert:fraud-suspect:${customerId}:${windowDay}`, template: 'admin-alert-fraud-suspect' },
      { business_key: `alert:fraud-suspect:${customerId}:${windowDay}:${ADMINS[1]}`, template: 'admin-alert-fraud-suspect' },
    ]);
    expect((await recur.t.ctx.db.query('SELECT action FROM risk_actions')).rows).toEqual([{ action: 'fraud_suspected' }]);
    expect((await auditActions(recur, 'customer', customerId)).filter((action) => action === 'fraud_suspected')).toHaveLength(1);
    expect(recur.calls).toEqual({ cancelSubscriptionNow: [], closeDispute: [], refundCharge: [] });
  }, 60_000);
});
