import { afterEach, describe, expect, it } from 'vitest';
import type { StripeGateway } from '../../src/providers/payments/stripe/stripe-gateway.ts';
import { reviewDeclinedCharges } from '../../src/services/risk/review-declined-charges.ts';
import { RecurError } from '../../src/shared/errors.ts';
import { advanceDays, type StripeKit } from '../sandbox/stripe/stripe-kit.ts';
import { eventFeeder, readAllEvents, startStripeTestApp } from '../stripe/stripe-test-kit.ts';
import type { TestApp } from '../support/test-app.ts';
import { testDatabaseKinds } from '../support/test-database.ts';
import { stripeGatewayOf, withStripeGateway } from '../support/payment-providers.ts';

const ADMIN = 'ops@shop.example';

describe.each(testDatabaseKinds)('fraud review steps on %s', (kind) => {
  let kit: StripeKit | null = null;
  let t: TestApp | null = null;
  afterEach(async () => {
    await t?.close();
    await kit?.stop();
    t = null;
    kit = null;
  });

  it('continues where a failed run stopped, refunds an old payment recur never saw (policy all), and does each step once', async () => {
    const started = await startStripeTestApp(kind);
    kit = started.kit;
    t = started.t;
    const { stripe } = started;
    t.ctx.clock = { now: () => kit!.sandbox.ctx.clock.now() };
    t.ctx.config = { ...t.ctx.config, ADMIN_EMAILS: [ADMIN], FRAUD_DECLINE_THRESHOLD: 3, FRAUD_DECLINE_WINDOW_DAYS: 30, FRAUD_REFUND_POLICY: 'all' };

    // Paid once, 40 days ago (before recur knew the customer), then a trial and three declines now.
    const customer = await stripe.customers.create({ email: 'old-payer@example.nl', payment_method: 'pm_card_visa', invoice_settings: { default_payment_method: 'pm_card_visa' } });
    const oldPayment = await stripe.paymentIntents.create({ amount: 4500, currency: 'eur', customer: customer.id, payment_method: 'pm_card_visa', confirm: true });
    await advanceDays(kit.sandbox, 40);
    const price = (await stripe.prices.list({ lookup_keys: ['recur_monthly'] })).data[0]!;
    const subscription = await stripe.subscriptions.create({ customer: customer.id, items: [{ price: price.id }], trial_period_days: 30 });
    for (let i = 0; i < 3; i++) await stripe.paymentIntents.create({ amount: 2999, currency: 'eur', customer: customer.id, payment_method: 'pm_card_chargeDeclined', confirm: true }).catch(() => undefined);
    const feed = eventFeeder(kit, t.ctx.db, t.ctx.clock);
    for (const event of await readAllEvents(stripe)) if (!['charge.succeeded', 'payment_intent.succeeded'].includes(event.type)) await feed(event);
    const customerId = (await t.ctx.db.query<{ id: string }>('SELECT id FROM customers WHERE external_id = $1', [`stripe:${customer.id}`])).rows[0]!.id;

    // First run: Stripe fails on the cancel. The ban is done and recorded; nothing after it.
    const gateway = stripeGatewayOf(t.ctx);
    const calls: string[] = [];
    const failing: StripeGateway = { ...gateway, cancelSubscriptionNow: async () => Promise.reject(new RecurError('provider_failure', 'Stripe failed while canceling')) };
    t.ctx.payments = withStripeGateway(t.ctx, failing);
    await expect(reviewDeclinedCharges(t.ctx, customerId)).rejects.toThrow(/canceling/);
    expect((await t.ctx.db.query('SELECT step_key FROM risk_actions')).rows).toEqual([{ step_key: `fraud:ban:${customerId}` }]);
    expect((await t.ctx.db.query('SELECT banned FROM customers WHERE id = $1', [customerId])).rows).toEqual([{ banned: true }]);
    expect((await t.ctx.db.query("SELECT count(*)::int AS n FROM notification_outbox WHERE template LIKE 'admin-%'")).rows).toEqual([{ n: 0 }]);

    // The retry: no second ban, the cancel and the refund happen, one alert.
    const counting: StripeGateway = {
      ...gateway,
      cancelSubscriptionNow: (id, key) => (calls.push(key), gateway.cancelSubscriptionNow(id, key)),
      refundCharge: (id, key) => (calls.push(key), gateway.refundCharge(id, key)),
    };
    t.ctx.payments = withStripeGateway(t.ctx, counting);
    expect(await reviewDeclinedCharges(t.ctx, customerId)).toEqual({ outcome: 'banned', declined: 3 });
    const subscriptionId = (await t.ctx.db.query<{ id: string }>('SELECT id FROM subscriptions WHERE provider_subscription_id = $1', [subscription.id])).rows[0]!.id;
    const charge = String(oldPayment.latest_charge);
    expect(calls).toEqual([`recur:cancel:${subscriptionId}:fraud`, `recur:fraud:refund:${charge}`]);
    expect((await stripe.subscriptions.retrieve(subscription.id)).status).toBe('canceled');
    expect((await stripe.charges.retrieve(charge)).amount_refunded).toBe(4500);
    expect((await t.ctx.db.query('SELECT step_key FROM risk_actions ORDER BY step_key')).rows).toEqual([
      { step_key: `cancel:${subscriptionId}:fraud` },
      { step_key: `fraud:alert:${customerId}` },
      { step_key: `fraud:ban:${customerId}` },
      { step_key: `fraud:refund:${charge}` },
    ]);
    const audit = await t.ctx.db.query<{ action: string; n: number }>("SELECT action, count(*)::int AS n FROM audit_log WHERE actor = 'risk:fraud' GROUP BY action ORDER BY action");
    expect(audit.rows).toEqual([
      { action: 'ban', n: 1 },
      { action: 'cancel_for_fraud', n: 1 },
      { action: 'fraud_alert', n: 1 },
      { action: 'fraud_refund', n: 1 },
    ]);
    expect((await t.ctx.db.query("SELECT business_key, recipient FROM notification_outbox WHERE template LIKE 'admin-%'")).rows).toEqual([{ business_key: `alert:fraud-ban:${customerId}`, recipient: ADMIN }]);

    // A third run (another decline's job) finds every step done and calls Stripe for nothing.
    const auditCount = async () => (await t!.ctx.db.query<{ n: number }>('SELECT count(*)::int AS n FROM audit_log')).rows[0]!.n;
    const auditBefore = await auditCount();
    await reviewDeclinedCharges(t.ctx, customerId);
    expect(calls).toHaveLength(2);
    expect(await auditCount()).toBe(auditBefore);
    expect((await t.ctx.db.query('SELECT count(*)::int AS n FROM risk_actions')).rows).toEqual([{ n: 4 }]);
  });

  it("with policy 'none' refunds nothing, and below the threshold does nothing", async () => {
    const started = await startStripeTestApp(kind);
    kit = started.kit;
    t = started.t;
    const { stripe } = started;
    t.ctx.clock = { now: () => kit!.sandbox.ctx.clock.now() };
    t.ctx.config = { ...t.ctx.config, FRAUD_DECLINE_THRESHOLD: 2, FRAUD_REFUND_POLICY: 'none' };
    const customer = await stripe.customers.create({ email: 'none@example.nl' });
    const old = await stripe.paymentIntents.create({ amount: 4500, currency: 'eur', customer: customer.id, payment_method: 'pm_card_visa', confirm: true });
    await advanceDays(kit.sandbox, 40);
    await stripe.paymentIntents.create({ amount: 2999, currency: 'eur', customer: customer.id, payment_method: 'pm_card_chargeDeclined', confirm: true }).catch(() => undefined);
    const feed = eventFeeder(kit, t.ctx.db, t.ctx.clock);
    for (const event of await readAllEvents(stripe)) if (event.type === 'charge.failed') await feed(event);
    const customerId = (await t.ctx.db.query<{ id: string }>('SELECT id FROM customers WHERE external_id = $1', [`stripe:${customer.id}`])).rows[0]!.id;

    expect(await reviewDeclinedCharges(t.ctx, customerId)).toEqual({ outcome: 'below_threshold', declined: 1 });
    await stripe.paymentIntents.create({ amount: 2999, currency: 'eur', customer: customer.id, payment_method: 'pm_card_chargeDeclined', confirm: true }).catch(() => undefined);
    expect(await reviewDeclinedCharges(t.ctx, customerId)).toEqual({ outcome: 'banned', declined: 2 });
    expect((await stripe.charges.retrieve(String(old.latest_charge))).amount_refunded).toBe(0);
    expect((await t.ctx.db.query('SELECT action FROM risk_actions ORDER BY action')).rows).toEqual([{ action: 'ban' }, { action: 'fraud_alert' }]);
  });
});
