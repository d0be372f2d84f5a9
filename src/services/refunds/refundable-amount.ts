import type { PaymentRecord } from '../../db/repositories/payment-repository.ts';

/** Only money that was taken can go back: a pending, failed or disputed payment has nothing to refund. */
const REFUNDABLE_STATUSES: ReadonlySet<PaymentRecord['status']> = new Set(['succeeded', 'partially_refunded']);

/**
 * What is left to refund of a payment: its amount, less what the provider has refunded, less what
 * recur has asked for and not yet heard back about (`pendingMinor`), so two refunds at once never
 * ask for more than the payment between them.
 */
export function refundableAmount(payment: Pick<PaymentRecord, 'status' | 'amountMinor' | 'amountRefundedMinor'>, pendingMinor: number): number {
  if (!REFUNDABLE_STATUSES.has(payment.status)) return 0;
  return Math.max(0, payment.amountMinor - payment.amountRefundedMinor - pendingMinor);
}
