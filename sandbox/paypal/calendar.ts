import type { BillingCycle } from './paypal-state.ts';

const DAY = 86_400_000;

/** `from` plus `count` calendar months, on the same day or the month's last one (31 Jan + 1 month = 28/29 Feb). */
function addMonths(from: Date, count: number): Date {
  const target = new Date(Date.UTC(from.getUTCFullYear(), from.getUTCMonth() + count, 1, from.getUTCHours(), from.getUTCMinutes(), from.getUTCSeconds()));
  const lastDay = new Date(Date.UTC(target.getUTCFullYear(), target.getUTCMonth() + 1, 0)).getUTCDate();
  target.setUTCDate(Math.min(from.getUTCDate(), lastDay));
  return target;
}

/** The moment one cycle of `frequency` after `from`. */
export function afterCycle(from: Date, frequency: BillingCycle['frequency']): Date {
  const { interval_unit: unit, interval_count: count } = frequency;
  if (unit === 'DAY') return new Date(from.getTime() + count * DAY);
  if (unit === 'WEEK') return new Date(from.getTime() + count * 7 * DAY);
  return addMonths(from, unit === 'MONTH' ? count : count * 12);
}

export const afterDays = (from: Date, days: number): Date => new Date(from.getTime() + days * DAY);
