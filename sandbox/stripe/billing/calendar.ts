export type Interval = 'day' | 'week' | 'month' | 'year';

export function asInterval(value: string): Interval {
  if (value === 'day' || value === 'week' || value === 'month' || value === 'year') return value;
  throw new RangeError(`unknown billing interval ${value}`);
}

const DAY = 86_400;

function addMonthsClamped(seconds: number, months: number): number {
  const anchor = new Date(seconds * 1000);
  const total = anchor.getUTCFullYear() * 12 + anchor.getUTCMonth() + months;
  const year = Math.floor(total / 12);
  const month = total - year * 12;
  const lastDay = new Date(Date.UTC(year, month + 1, 0)).getUTCDate();
  const result = new Date(anchor.getTime());
  result.setUTCFullYear(year, month, Math.min(anchor.getUTCDate(), lastDay));
  return Math.floor(result.getTime() / 1000);
}

/**
 * The n-th period boundary after the billing cycle anchor. Always counted from the anchor, never
 * from the previous boundary: 31 Jan -> 28/29 Feb -> 31 Mar, as Stripe bills.
 */
export function boundary(anchor: number, interval: Interval, intervalCount: number, n: number): number {
  switch (interval) {
    case 'day':
      return anchor + n * intervalCount * DAY;
    case 'week':
      return anchor + n * intervalCount * 7 * DAY;
    case 'month':
      return addMonthsClamped(anchor, n * intervalCount);
    case 'year':
      return addMonthsClamped(anchor, n * intervalCount * 12);
  }
}

/** The first boundary strictly after `moment` (the end of the period that contains it). */
export function nextBoundary(anchor: number, interval: Interval, intervalCount: number, moment: number): number {
  const months = interval === 'year' ? 12 * intervalCount : interval === 'month' ? intervalCount : 0;
  let n = months > 0 ? Math.max(0, Math.floor((moment - anchor) / (31 * DAY * months)) - 1) : Math.max(0, Math.floor((moment - anchor) / (boundary(0, interval, intervalCount, 1) || 1)) - 1);
  while (boundary(anchor, interval, intervalCount, n) <= moment) n += 1;
  return boundary(anchor, interval, intervalCount, n);
}
