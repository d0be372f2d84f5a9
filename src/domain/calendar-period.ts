import type { BillingInterval } from './plan.ts';

// UTC has no daylight-saving shifts, so a calendar day is always exactly this long.
const MS_PER_DAY = 24 * 60 * 60 * 1000;

const MONTHS_PER_INTERVAL: Record<BillingInterval, number> = { month: 1, year: 12 };

export type PeriodBounds = { index: number; start: Date; end: Date };

export function addDays(date: Date, days: number): Date {
  assertInteger(days, 'days');
  return new Date(date.getTime() + days * MS_PER_DAY);
}

/**
 * Adds whole months or years in UTC, keeping the time of day and clamping to the last day of a
 * shorter month (31 Jan + 1 month = 28/29 Feb; 29 Feb 2024 + 1 year = 28 Feb 2025).
 */
export function addInterval(anchor: Date, interval: BillingInterval, count: number): Date {
  assertInteger(count, 'count');
  return addMonthsClamped(anchor, count * MONTHS_PER_INTERVAL[interval]);
}

/**
 * End of the n-th period (n = 0 is the anchor itself). Always counted from the anchor, never from
 * the previous end: chaining would drift 31 Jan -> 29 Feb -> 29 Mar for ever, whereas Stripe's
 * billing cycle anchor gives 31 Jan -> 29 Feb -> 31 Mar.
 */
export function nthPeriodEnd(anchor: Date, interval: BillingInterval, n: number): Date {
  if (!Number.isSafeInteger(n) || n < 0) throw new RangeError(`n must be a whole number >= 0, got ${n}`);
  return addInterval(anchor, interval, n);
}

/**
 * The period containing `now`: start <= now < end. A period that has not started yet has no
 * bounds, and asking for it is a caller bug, so that throws.
 */
export function periodBounds(anchor: Date, interval: BillingInterval, now: Date): PeriodBounds {
  if (now.getTime() < anchor.getTime()) {
    throw new RangeError(`now (${now.toISOString()}) is before the anchor (${anchor.toISOString()})`);
  }
  const step = MONTHS_PER_INTERVAL[interval];
  const monthsApart =
    (now.getUTCFullYear() - anchor.getUTCFullYear()) * 12 + (now.getUTCMonth() - anchor.getUTCMonth());
  // The month difference is right or one too high (when now's day or time is before the anchor's);
  // the loops correct it in at most a step or two instead of walking from the anchor.
  let index = Math.max(0, Math.floor(monthsApart / step));
  while (index > 0 && nthPeriodEnd(anchor, interval, index).getTime() > now.getTime()) index -= 1;
  while (nthPeriodEnd(anchor, interval, index + 1).getTime() <= now.getTime()) index += 1;
  return { index, start: nthPeriodEnd(anchor, interval, index), end: nthPeriodEnd(anchor, interval, index + 1) };
}

function addMonthsClamped(anchor: Date, months: number): Date {
  const totalMonths = anchor.getUTCFullYear() * 12 + anchor.getUTCMonth() + months;
  const year = Math.floor(totalMonths / 12);
  const month = totalMonths - year * 12;
  const day = Math.min(anchor.getUTCDate(), daysInMonth(year, month));
  const result = new Date(anchor.getTime());
  // setUTCFullYear with all three parts at once, so no intermediate date overflows into March.
  result.setUTCFullYear(year, month, day);
  return result;
}

function daysInMonth(year: number, month: number): number {
  const lastDay = new Date(0);
  lastDay.setUTCFullYear(year, month + 1, 0);
  return lastDay.getUTCDate();
}

function assertInteger(value: number, name: string): void {
  if (!Number.isSafeInteger(value)) throw new RangeError(`${name} must be a whole number, got ${value}`);
}
