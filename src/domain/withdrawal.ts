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
  const { year, month, day } = localDateOf(signedUpAt, timeZone);
  return startOfLocalDay(year, month, day + WITHDRAWAL_DAYS + 1, timeZone);
}

export const isWithinWithdrawalPeriod = (signedUpAt: Date, timeZone: string, now: Date): boolean => now.getTime() < withdrawalPeriodEnd(signedUpAt, timeZone).getTime();

/** The last day of the period as an instant inside it, for stating it as a date ("until 19 December"). */
export const lastDayOfWithdrawal = (periodEnd: Date): Date => new Date(periodEnd.getTime() - 1);

function localDateOf(instant: Date, timeZone: string): { year: number; month: number; day: number } {
  const parts = new Intl.DateTimeFormat('en-US', { timeZone, year: 'numeric', month: 'numeric', day: 'numeric' }).formatToParts(instant);
  const part = (type: Intl.DateTimeFormatPartTypes) => Number(parts.find((candidate) => candidate.type === type)!.value);
  return { year: part('year'), month: part('month'), day: part('day') };
}

/** How far `timeZone`'s wall clock is ahead of UTC at `instant`, in ms. */
function offsetAt(instant: Date, timeZone: string): number {
  const parts = new Intl.DateTimeFormat('en-US', { timeZone, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric' }).formatToParts(instant);
  const part = (type: Intl.DateTimeFormatPartTypes) => Number(parts.find((candidate) => candidate.type === type)!.value);
  const wall = Date.UTC(part('year'), part('month') - 1, part('day'), part('hour'), part('minute'), part('second'));
  return wall - Math.floor(instant.getTime() / 1000) * 1000;
}

/** Midnight at the start of a local calendar day (an overflowing day rolls into the next month). */
function startOfLocalDay(year: number, month: number, day: number, timeZone: string): Date {
  const wallMidnight = Date.UTC(year, month - 1, day);
  // The offset at the wall time read as UTC is off by at most one shift; a second look settles it.
  const first = wallMidnight - offsetAt(new Date(wallMidnight), timeZone);
  return new Date(wallMidnight - offsetAt(new Date(first), timeZone));
}

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
