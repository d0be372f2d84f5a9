/** The withdrawal period of a distance contract (EU 2011/83 Art. 9; the button of EU 2023/2673 Art. 11a). */
export const WITHDRAWAL_DAYS = 14;
const DAY_MS = 86_400_000;

export type WithdrawalRefundPolicy = 'full' | 'prorated' | 'none';

/** The last instant a customer who signed up at `signedUpAt` may withdraw. */
export const withdrawalDeadline = (signedUpAt: Date): Date => new Date(signedUpAt.getTime() + WITHDRAWAL_DAYS * DAY_MS);

export const isWithinWithdrawalPeriod = (signedUpAt: Date, now: Date): boolean => now.getTime() < withdrawalDeadline(signedUpAt).getTime();

/**
 * What a withdrawal gives back of one payment, in minor units: `full` all that is left of it,
 * `none` nothing, `prorated` the part of the paid period after the withdrawal (rounded down, so
 * the customer is never refunded more than the unused time; a period not known counts as unused).
 */
export function withdrawalRefundOf(
  policy: WithdrawalRefundPolicy,
  payment: { amountMinor: number; leftMinor: number },
  period: { start: Date | null; end: Date | null },
  withdrawnAt: Date,
): number {
  if (policy === 'none' || payment.leftMinor <= 0) return 0;
  if (policy === 'full' || !period.start || !period.end) return payment.leftMinor;
  const length = period.end.getTime() - period.start.getTime();
  if (length <= 0) return payment.leftMinor;
  const unused = Math.min(Math.max(period.end.getTime() - withdrawnAt.getTime(), 0), length);
  // Integer arithmetic on minor units: no float ever rounds a cent up.
  const share = Number((BigInt(payment.amountMinor) * BigInt(Math.floor(unused))) / BigInt(length));
  return Math.min(share, payment.leftMinor);
}
