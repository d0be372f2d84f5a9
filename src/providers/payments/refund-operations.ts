import type { ProviderRefund } from './risk-operations.ts';

/** What recur asks a provider to give back of one payment. */
export type RefundRequest = {
  /** In the payment's currency; never more than what the provider has left to refund. */
  amountMinor: number;
  currency: string;
  /** recur's refund row id, so the provider's refund can be traced back to it. */
  refundId: string;
};

/** Refunds of payments (full or partial), one part of ProviderOperations (provider-operations.ts). */
export type RefundOperations = {
  /**
   * Refunds part or all of a payment (recur's key for it: Stripe's PaymentIntent, PayPal's capture
   * or sale). The same `idempotencyKey` always answers the same refund, so a retry refunds once.
   * A refusal (more than is left, a payment that cannot be refunded) throws a RecurError that is not retryable.
   */
  refundPayment(paymentId: string, request: RefundRequest, idempotencyKey: string): Promise<ProviderRefund>;
};
