import type { ProviderSubscription } from './provider-objects.ts';

export type ProviderCharge = {
  id: string;
  paymentIntentId: string | null;
  status: 'succeeded' | 'pending' | 'failed';
  /** The provider's failure code of a failed charge (Stripe's `failure_code`: `card_declined`, `expired_card`, ...). */
  failureCode: string | null;
  amountMinor: number;
  amountRefundedMinor: number;
  currency: string;
  created: Date;
};

export type ProviderDispute = {
  id: string;
  chargeId: string | null;
  paymentIntentId: string | null;
  amountMinor: number;
  currency: string;
  reason: string | null;
  /** The provider's status word (Stripe: needs_response, under_review, won, lost, warning_* ...). */
  status: string;
  evidenceDueBy: Date | null;
  created: Date;
  /**
   * The provider's outcome once it closed the dispute, where its status word alone does not say it
   * (PayPal: RESOLVED with RESOLVED_BUYER_FAVOUR, RESOLVED_SELLER_FAVOUR, ...). Absent or null: the
   * closing status is the outcome (Stripe: won, lost).
   */
  outcome?: string | null;
};

/** One refund of a payment, as the provider holds it. */
export type ProviderRefund = {
  id: string;
  /** The payment it refunds (recur's key for it: Stripe's PaymentIntent, PayPal's capture or sale), when the provider says. */
  paymentId: string | null;
  amountMinor: number;
  currency: string;
  /** The provider's word: Stripe's `succeeded`, `pending`, ...; PayPal's `COMPLETED`, `PENDING`, ... */
  status: string;
  /** Whether the money went back (Stripe `succeeded`, PayPal `COMPLETED`). */
  completed: boolean;
  /** The payment's total refunded up to and including this refund, when the provider states it (PayPal); null otherwise. */
  refundedToDateMinor: number | null;
  created: Date;
  /** Why the money did not go back, in the provider's words (Stripe's `failure_reason`); null unless it failed. */
  failureReason: string | null;
  /** Why it was refunded, as the provider has it (Stripe's `reason`: `requested_by_customer`, ...); null when none was given. */
  reason: string | null;
  /** recur's refund row it was asked for by (the metadata recur sends); null for a refund made at the provider. */
  recurRefundId: string | null;
};

/** Fraud and dispute actions: declined charges of a customer, refunds, cancellations, closing disputes. */
export type RiskOperations = {
  /** Every charge of the customer created at or after `createdSince`, all pages (`pageSize` per request, at most 100). */
  listCustomerCharges(providerCustomerId: string, options: { createdSince: Date; pageSize?: number }): Promise<ProviderCharge[]>;
  refundCharge(chargeId: string, idempotencyKey: string): Promise<{ id: string; status: string; amountMinor: number }>;
  /** Ends the subscription now; one the provider already ended is read back as it is. */
  cancelSubscriptionNow(subscriptionId: string, idempotencyKey: string): Promise<ProviderSubscription | null>;
  /** Accepts the dispute (the dispute is lost, no evidence is sent). */
  closeDispute(disputeId: string, idempotencyKey: string): Promise<ProviderDispute>;
  retrieveDispute(disputeId: string): Promise<ProviderDispute | null>;
  /** null when the provider does not know the id (a charge event's object, read back before it is believed). */
  retrieveCharge(chargeId: string): Promise<ProviderCharge | null>;
  /** null when the provider does not know the id (a refund event's object, read back before it is believed). */
  retrieveRefund(refundId: string): Promise<ProviderRefund | null>;
  /** Every refund of a charge (a refunded charge's event), newest first; empty where the provider does not list them. */
  listChargeRefunds(chargeId: string): Promise<ProviderRefund[]>;
};
