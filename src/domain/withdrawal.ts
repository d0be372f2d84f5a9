import { firstInstantAtWallTime, wallClockAt } from './wall-clock.ts';

/** The withdrawal period of a distance contract (EU 2011/83 Art. 9; the button of EU 2023/2673 Art. 11a). */
export const WITHDRAWAL_DAYS = 14;

export type WithdrawalRefundPolicy = 'full' | 'prorated' | 'none';

/**
 * The first instant after the withdrawal period of a contract concluded at `signedUpAt`. The 14
 * days are counted from the day after the conclusion and the period ends with the last of them
 * (Art. 9 read with Regulation 1182/71, Art. 3: the day of the event is not counted; a period
 * ends at the end of its last day), in the customer's time zone. Signed up on 5 December at any
 * hour, the customer may withdraw until 19 December at midnight.
 */
export function withdrawalPeriodEnd(signedUpAt: Date, timeZone: string): Date {
  const { year, month, day } = wallClockAt(signedUpAt, timeZone);
  // Midnight starting the 15th day after (Date.UTC rolls an overflowing day into the next month).
  return firstInstantAtWallTime(Date.UTC(year, month - 1, day + WITHDRAWAL_DAYS + 1), timeZone);
}

export const isWithinWithdrawalPeriod = (signedUpAt: Date, timeZone: string, now: Date): boolean => now.getTime() < withdrawalPeriodEnd(signedUpAt, timeZone).getTime();

/** The last day of the period as an instant inside it, for stating it as a date ("until 19 December"). */
export const lastDayOfWithdrawal = (periodEnd: Date): Date => new Date(periodEnd.getTime() - 1);

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
