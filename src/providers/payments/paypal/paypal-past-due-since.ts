import type { SubscriptionTransactionDetails } from '@paypal/paypal-server-sdk';

const PAID: ReadonlySet<string> = new Set(['COMPLETED', 'PARTIALLY_REFUNDED', 'REFUNDED']);
const FAILED: ReadonlySet<string> = new Set(['DECLINED', 'FAILED']);

/**
 * When the subscription's current failure incident began, from PayPal's own transactions: the
 * first declined payment after the last one that went through. Not `last_failed_payment.time`,
 * which moves with every retry (ADR 0009). null when the transactions hold no failed payment
 * (PayPal has no such fact then; the caller decides).
 */
export function firstFailureOfIncident(transactions: readonly SubscriptionTransactionDetails[]): Date | null {
  const timed = transactions
    .map((transaction) => ({ status: String(transaction.status ?? ''), time: Date.parse(transaction.time) }))
    .filter((transaction) => !Number.isNaN(transaction.time))
    .sort((a, b) => a.time - b.time);
  let since: number | null = null;
  for (const transaction of timed) {
    if (PAID.has(transaction.status)) since = null;
    else if (FAILED.has(transaction.status) && since === null) since = transaction.time;
  }
  return since === null ? null : new Date(since);
}
