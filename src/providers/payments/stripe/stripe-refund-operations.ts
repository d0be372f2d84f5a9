import type Stripe from 'stripe';
import type { RefundOperations } from '../refund-operations.ts';
import { callStripe } from './stripe-errors.ts';
import { toProviderRefund } from './stripe-risk-gateway.ts';

/**
 * Refunds of a PaymentIntent through the official SDK (`refunds.create`), with Stripe's
 * Idempotency-Key: a retry with the same key gets the first refund back, not a second one.
 */
export function createStripeRefundOperations(stripe: Stripe): RefundOperations {
  return {
    async refundPayment(paymentIntentId, request, idempotencyKey) {
      const refund = await callStripe(`refunding payment ${paymentIntentId}`, () =>
        stripe.refunds.create({ payment_intent: paymentIntentId, amount: request.amountMinor, metadata: { recur_refund_id: request.refundId } }, { idempotencyKey }),
      );
      return toProviderRefund(refund);
    },
  };
}
