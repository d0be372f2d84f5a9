import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createStripeGateway } from '../../src/providers/payments/stripe/create-stripe-gateway.ts';
import type { ProviderOperations } from '../../src/providers/payments/provider-operations.ts';
import { startStripe, type StripeKit } from '../sandbox/stripe/stripe-kit.ts';

/** Stripe's side of the neutral refund read (PayPal's is in test/paypal/paypal-gateway.test.ts). */
describe('retrieveRefund through the Stripe adapter, against the sandbox', () => {
  let kit: StripeKit;
  let gateway: ProviderOperations;
  beforeAll(async () => {
    kit = await startStripe();
    gateway = createStripeGateway(kit.stripe);
  });
  afterAll(() => kit.stop());

  it('answers the refund with its PaymentIntent (recur\'s payment key) and no total of its own; an unknown id is null', async () => {
    const customer = await kit.stripe.customers.create({ email: 'refund@fietsenwinkel.test' });
    const paid = await kit.stripe.paymentIntents.create({ amount: 2999, currency: 'eur', customer: customer.id, payment_method: 'pm_card_visa', confirm: true });
    const refund = await kit.stripe.refunds.create({ payment_intent: paid.id, amount: 500 });
    expect(await gateway.retrieveRefund(refund.id)).toMatchObject({ id: refund.id, paymentId: paid.id, amountMinor: 500, currency: 'EUR', completed: true, refundedToDateMinor: null });
    expect(await gateway.retrieveRefund('re_unknown')).toBeNull();
  });
});
