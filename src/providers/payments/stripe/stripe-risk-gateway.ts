import type Stripe from 'stripe';
import { callStripe, isResourceMissing, retrieveOrNull, toRecurError } from './stripe-errors.ts';
import type { ProviderCharge, ProviderDispute, ProviderRefund, RiskOperations } from '../risk-operations.ts';
import { idOf, toProviderSubscription } from './stripe-mappers.ts';

export function toProviderRefund(refund: Stripe.Refund): ProviderRefund {
  const paymentIntent = refund.payment_intent;
  return {
    id: refund.id,
    paymentId: typeof paymentIntent === 'string' ? paymentIntent : (paymentIntent?.id ?? null),
    amountMinor: refund.amount,
    currency: refund.currency.toUpperCase(),
    status: refund.status ?? '',
    completed: refund.status === 'succeeded',
    // Stripe states the total on the charge (amount_refunded), not on a refund.
    refundedToDateMinor: null,
    created: new Date(refund.created * 1000),
    failureReason: refund.status === 'failed' ? (refund.failure_reason ?? 'unknown') : null,
    reason: refund.reason ?? null,
    recurRefundId: refund.metadata?.['recur_refund_id'] ?? null,
  };
}

function toProviderCharge(charge: Stripe.Charge): ProviderCharge {
  return {
    id: charge.id,
    paymentIntentId: idOf(charge.payment_intent),
    status: charge.status === 'succeeded' ? 'succeeded' : charge.status === 'failed' ? 'failed' : 'pending',
    failureCode: charge.failure_code ?? null,
    amountMinor: charge.amount,
    amountRefundedMinor: charge.amount_refunded,
    currency: charge.currency.toUpperCase(),
    created: new Date(charge.created * 1000),
  };
}

export function toProviderDispute(dispute: Stripe.Dispute): ProviderDispute {
  const due = dispute.evidence_details?.due_by;
  return {
    id: dispute.id,
    chargeId: idOf(dispute.charge),
    paymentIntentId: idOf(dispute.payment_intent),
    amountMinor: dispute.amount,
    currency: dispute.currency.toUpperCase(),
    reason: dispute.reason ?? null,
    status: dispute.status,
    evidenceDueBy: due ? new Date(due * 1000) : null,
    created: new Date(dispute.created * 1000),
  };
}

export function createStripeRiskGateway(stripe: Stripe): RiskOperations {
  return {
    async listCustomerCharges(providerCustomerId, { createdSince, pageSize = 100 }) {
      const charges: ProviderCharge[] = [];
      // The SDK's auto-pagination follows `starting_after` until `has_more` is false.
      const list = stripe.charges.list({ customer: providerCustomerId, created: { gte: Math.floor(createdSince.getTime() / 1000) }, limit: Math.min(Math.max(pageSize, 1), 100) });
      try {
        for await (const charge of list) charges.push(toProviderCharge(charge));
      } catch (error) {
        throw toRecurError(error, `listing the charges of ${providerCustomerId}`);
      }
      return charges;
    },

    async refundCharge(chargeId, idempotencyKey) {
      const refund = await callStripe(`refunding charge ${chargeId}`, () => stripe.refunds.create({ charge: chargeId, reason: 'fraudulent' }, { idempotencyKey }));
      return { id: refund.id, status: refund.status ?? 'pending', amountMinor: refund.amount };
    },

    async cancelSubscriptionNow(subscriptionId, idempotencyKey) {
      try {
        return toProviderSubscription(await stripe.subscriptions.cancel(subscriptionId, {}, { idempotencyKey }));
      } catch (error) {
        // Stripe answers a canceled subscription as missing: read what it holds instead.
        if (!isResourceMissing(error)) throw toRecurError(error, `canceling subscription ${subscriptionId}`);
      }
      const current = await retrieveOrNull(`reading subscription ${subscriptionId}`, () => stripe.subscriptions.retrieve(subscriptionId));
      return current ? toProviderSubscription(current) : null;
    },

    async closeDispute(disputeId, idempotencyKey) {
      return toProviderDispute(await callStripe(`closing dispute ${disputeId}`, () => stripe.disputes.close(disputeId, {}, { idempotencyKey })));
    },

    async retrieveDispute(disputeId) {
      const dispute = await retrieveOrNull(`reading dispute ${disputeId}`, () => stripe.disputes.retrieve(disputeId));
      return dispute ? toProviderDispute(dispute) : null;
    },

    async retrieveCharge(chargeId) {
      const charge = await retrieveOrNull(`reading charge ${chargeId}`, () => stripe.charges.retrieve(chargeId));
      return charge ? toProviderCharge(charge) : null;
    },

    async retrieveRefund(refundId) {
      const refund = await retrieveOrNull(`reading refund ${refundId}`, () => stripe.refunds.retrieve(refundId));
      return refund ? toProviderRefund(refund) : null;
    },

    async listChargeRefunds(chargeId) {
      const refunds: ProviderRefund[] = [];
      try {
        for await (const refund of stripe.refunds.list({ charge: chargeId, limit: 100 })) refunds.push(toProviderRefund(refund));
      } catch (error) {
        throw toRecurError(error, `listing the refunds of charge ${chargeId}`);
      }
      return refunds;
    },
  };
}
