import type { CapturedPayment, Subscription, SubscriptionTransactionDetails } from '@paypal/paypal-server-sdk';
import type { ProviderCharge, RiskOperations } from '../risk-operations.ts';
import type { PaypalClient } from './create-paypal-client.ts';
import { derivePaypalRequestId } from './derive-paypal-request-id.ts';
import { toPaypalProviderDispute } from './map-paypal-dispute.ts';
import { toPaypalProviderPaymentFromCapture, toPaypalProviderPaymentFromTransaction, toPaypalProviderRefund } from './map-paypal-payments.ts';
import { toMoney } from './paypal-money.ts';
import type { PaypalSubscriptionReads } from './paypal-subscription-reads.ts';

const ENDED: ReadonlySet<string> = new Set(['CANCELLED', 'EXPIRED']);

function chargeStatus(status: string): ProviderCharge['status'] {
  return status === 'failed' ? 'failed' : status === 'pending' ? 'pending' : 'succeeded';
}

/** A capture (an order's, or a subscription's sale read through Payments v2) as recur's charge: PayPal's payment is its own charge. */
function chargeOfCapture(capture: CapturedPayment): ProviderCharge {
  const payment = toPaypalProviderPaymentFromCapture(capture);
  return {
    id: payment.id,
    paymentIntentId: payment.id,
    status: chargeStatus(payment.status),
    failureCode: payment.status === 'failed' ? (capture.statusDetails?.reason ? String(capture.statusDetails.reason) : null) : null,
    amountMinor: payment.amountMinor,
    amountRefundedMinor: payment.amountRefundedMinor,
    currency: payment.currency,
    created: payment.at,
  };
}

function chargeOfTransaction(transaction: SubscriptionTransactionDetails, subscriptionId: string): ProviderCharge {
  const payment = toPaypalProviderPaymentFromTransaction(transaction, subscriptionId);
  return {
    id: payment.id,
    paymentIntentId: payment.id,
    status: chargeStatus(payment.status),
    // PayPal's transactions list says a payment was declined, not why.
    failureCode: payment.status === 'failed' ? 'declined' : null,
    amountMinor: payment.amountMinor,
    amountRefundedMinor: payment.amountRefundedMinor,
    currency: payment.currency,
    created: payment.at,
  };
}

/**
 * Refunds, disputes and the charges of a payer. PayPal has no charges list per customer: a payer's
 * charges are the transactions of the subscriptions that payer approved (`subscriptionsOfPayer`).
 */
export function createPaypalRiskOperations(client: PaypalClient, reads: PaypalSubscriptionReads, subscriptionsOfPayer: (payerId: string) => Promise<Subscription[]>): RiskOperations {
  const { sdk, rest } = client;
  return {
    async listCustomerCharges(payerId, { createdSince }) {
      const charges: ProviderCharge[] = [];
      for (const raw of await subscriptionsOfPayer(payerId)) {
        for (const transaction of await reads.transactions(raw)) charges.push(chargeOfTransaction(transaction, raw.id!));
      }
      return charges.filter((charge) => charge.created.getTime() >= createdSince.getTime()).sort((a, b) => b.created.getTime() - a.created.getTime());
    },

    async refundCharge(chargeId, idempotencyKey) {
      // No amount: the whole capture (what is left of it) goes back.
      const refund = await sdk.refundCapture(chargeId, {}, derivePaypalRequestId(['refund', chargeId, idempotencyKey]));
      if (!refund.id) throw new TypeError(`PayPal answered the refund of ${chargeId} without an id`);
      return { id: refund.id, status: String(refund.status ?? ''), amountMinor: refund.amount ? toMoney(refund.amount).amountMinor : 0 };
    },

    async cancelSubscriptionNow(subscriptionId, idempotencyKey) {
      const before = await sdk.getSubscription(subscriptionId);
      if (!before) return null;
      if (!ENDED.has(String(before.status ?? ''))) await sdk.cancelSubscription(subscriptionId, 'Cancelled by the merchant', derivePaypalRequestId(['cancel', subscriptionId, idempotencyKey]));
      return (await reads.read(subscriptionId))?.subscription ?? null;
    },

    async closeDispute(disputeId, idempotencyKey) {
      await rest.acceptDisputeClaim(disputeId, 'The merchant accepts the claim.', derivePaypalRequestId(['accept-claim', disputeId, idempotencyKey]));
      const dispute = await rest.getDispute(disputeId);
      if (!dispute) throw new TypeError(`PayPal no longer knows dispute ${disputeId} after accepting it`);
      return toPaypalProviderDispute(dispute);
    },

    async retrieveDispute(disputeId) {
      const dispute = await rest.getDispute(disputeId);
      return dispute ? toPaypalProviderDispute(dispute) : null;
    },

    async retrieveCharge(chargeId) {
      const capture = await sdk.getCapture(chargeId);
      return capture ? chargeOfCapture(capture) : null;
    },

    async retrieveRefund(refundId) {
      const refund = await sdk.getRefund(refundId);
      return refund ? toPaypalProviderRefund(refund) : null;
    },

    // PayPal lists no refunds of a capture; each refund has its own event, which names it.
    async listChargeRefunds() {
      return [];
    },
  };
}
