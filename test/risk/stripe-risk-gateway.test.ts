import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createStripeGateway } from '../../src/providers/payments/stripe/create-stripe-gateway.ts';
import type { StripeGateway } from '../../src/providers/payments/stripe/stripe-gateway.ts';
import { advanceDays, startStripe, type StripeKit } from '../sandbox/stripe/stripe-kit.ts';

describe('Stripe risk gateway against the sandbox', () => {
  let kit: StripeKit;
  let gateway: StripeGateway;
  beforeAll(async () => {
    kit = await startStripe();
    gateway = createStripeGateway(kit.stripe);
  });
  afterAll(async () => {
    await kit.stop();
  });

  it("lists a customer's charges since a time over every page, with failure code and status", async () => {
    const customer = await kit.stripe.customers.create({ email: 'pages@example.nl' });
    const old = await kit.stripe.paymentIntents.create({ amount: 500, currency: 'eur', customer: customer.id, payment_method: 'pm_card_visa', confirm: true });
    await advanceDays(kit.sandbox, 40);
    const since = kit.sandbox.ctx.clock.now();
    for (let i = 0; i < 5; i++) {
      await kit.stripe.paymentIntents.create({ amount: 700, currency: 'eur', customer: customer.id, payment_method: 'pm_card_chargeDeclined', confirm: true }).catch(() => undefined);
    }
    await kit.stripe.paymentIntents.create({ amount: 900, currency: 'eur', customer: customer.id, payment_method: 'pm_card_chargeDeclinedExpiredCard', confirm: true }).catch(() => undefined);
    const other = await kit.stripe.customers.create({ email: 'other@example.nl' });
    await kit.stripe.paymentIntents.create({ amount: 700, currency: 'eur', customer: other.id, payment_method: 'pm_card_chargeDeclined', confirm: true }).catch(() => undefined);

    // Two per page: four requests, and only this customer's charges of the window.
    const recent = await gateway.listCustomerCharges(customer.id, { createdSince: since, pageSize: 2 });
    expect(recent).toHaveLength(6);
    expect(recent.filter((charge) => charge.failureCode === 'card_declined' && charge.status === 'failed')).toHaveLength(5);
    expect(recent.filter((charge) => charge.failureCode === 'expired_card')).toHaveLength(1);
    expect(new Set(recent.map((charge) => charge.id)).size).toBe(6);

    const all = await gateway.listCustomerCharges(customer.id, { createdSince: new Date(0), pageSize: 4 });
    expect(all).toHaveLength(7);
    expect(all.find((charge) => charge.paymentIntentId === old.id)).toMatchObject({ status: 'succeeded', failureCode: null, amountMinor: 500, amountRefundedMinor: 0, currency: 'EUR' });
  });

  it('refunds a charge, cancels a subscription and closes a dispute once per idempotency key', async () => {
    const customer = await kit.stripe.customers.create({ email: 'risk@example.nl', payment_method: 'pm_card_visa', invoice_settings: { default_payment_method: 'pm_card_visa' } });
    const paid = await kit.stripe.paymentIntents.create({ amount: 1500, currency: 'eur', customer: customer.id, payment_method: 'pm_card_visa', confirm: true });
    const charge = String(paid.latest_charge);
    const first = await gateway.refundCharge(charge, `recur:fraud:refund:${charge}`);
    const again = await gateway.refundCharge(charge, `recur:fraud:refund:${charge}`);
    expect(again).toEqual(first);
    expect((await kit.stripe.refunds.list({ charge })).data).toHaveLength(1);
    expect((await kit.stripe.charges.retrieve(charge)).amount_refunded).toBe(1500);

    const price = (await kit.stripe.prices.create({ currency: 'eur', unit_amount: 999, recurring: { interval: 'month' }, product_data: { name: 'risk' } })).id;
    const subscription = await kit.stripe.subscriptions.create({ customer: customer.id, items: [{ price }], trial_period_days: 10 });
    const canceled = await gateway.cancelSubscriptionNow(subscription.id, `recur:cancel:${subscription.id}:fraud`);
    expect(canceled).toMatchObject({ id: subscription.id, status: 'canceled' });
    // Already ended (another key, e.g. a later incident): read back as Stripe holds it, no error.
    expect(await gateway.cancelSubscriptionNow(subscription.id, `recur:cancel:${subscription.id}:dispute`)).toMatchObject({ status: 'canceled' });

    const disputed = await kit.stripe.paymentIntents.create({ amount: 2500, currency: 'eur', customer: customer.id, payment_method: 'pm_card_createDispute', confirm: true });
    const [dispute] = (await kit.stripe.disputes.list({ payment_intent: disputed.id })).data;
    expect(await gateway.retrieveDispute(dispute!.id)).toMatchObject({ id: dispute!.id, paymentIntentId: disputed.id, status: 'needs_response', amountMinor: 2500, currency: 'EUR', reason: 'fraudulent', evidenceDueBy: expect.any(Date) });
    expect(await gateway.closeDispute(dispute!.id, `recur:dispute:accept:${dispute!.id}`)).toMatchObject({ status: 'lost' });
    expect(await gateway.retrieveDispute('dp_missing')).toBeNull();
  });
});
