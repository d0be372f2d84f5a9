import { addDays, addInterval } from './calendar-period.ts';
import { createMoney, type Money } from './money.ts';
import type { Plan } from './plan.ts';

/**
 * Stripe's longest trial. Prepaid time must end within it from the purchase, so auto-renew can
 * later start a subscription whose trial runs exactly until the paid date.
 */
export const LONGEST_PREPAID_DAYS = 730;

/** A period a customer paid for once, as recur holds it. */
export type PrepaidCoverage = { id: string; startsAt: Date; endsAt: Date };

export type PlannedPrepaidPeriod = { startsAt: Date; endsAt: Date; amount: Money; periods: number };

export type PrepaidPlanOutcome = { kind: 'planned'; period: PlannedPrepaidPeriod } | { kind: 'too_far'; endsAt: Date; latest: Date };

/**
 * The end of the customer's paid coverage that runs at `at`: the latest end of the periods that
 * run now or follow on without a gap (a prepayment on top starts where the previous one ends).
 * null when no period runs at `at`.
 */
export function coverageEnd(periods: readonly PrepaidCoverage[], at: Date): Date | null {
  const sorted = [...periods].sort((a, b) => a.startsAt.getTime() - b.startsAt.getTime());
  let end: Date | null = null;
  for (const period of sorted) {
    const runsFrom = end ?? at;
    if (period.startsAt.getTime() > runsFrom.getTime()) {
      if (end) break;
      continue;
    }
    if (period.endsAt.getTime() > runsFrom.getTime()) end = period.endsAt;
  }
  return end;
}

/** The period that runs at `at` (start <= at < end), if any. */
export function runningPeriod<T extends PrepaidCoverage>(periods: readonly T[], at: Date): T | null {
  return periods.find((period) => period.startsAt.getTime() <= at.getTime() && at.getTime() < period.endsAt.getTime()) ?? null;
}

/**
 * `periods` of the plan's interval bought at `at`: starting at the end of the coverage that runs
 * then (so buying more extends it), else at `at`; calendar months or years (calendar-period.ts);
 * priced at the plan's price per period. Refused when the end falls past LONGEST_PREPAID_DAYS
 * from `at`.
 */
export function planPrepaidPeriod(plan: Pick<Plan, 'interval' | 'amountMinor' | 'currency'>, periods: number, at: Date, existing: readonly PrepaidCoverage[]): PrepaidPlanOutcome {
  if (!Number.isSafeInteger(periods) || periods < 1) throw new RangeError(`periods must be a whole number >= 1, got ${periods}`);
  const startsAt = coverageEnd(existing, at) ?? new Date(at.getTime());
  const endsAt = addInterval(startsAt, plan.interval, periods);
  const latest = addDays(at, LONGEST_PREPAID_DAYS);
  if (endsAt.getTime() > latest.getTime()) return { kind: 'too_far', endsAt, latest };
  return { kind: 'planned', period: { startsAt, endsAt, amount: createMoney(plan.amountMinor * periods, plan.currency), periods } };
}

/**
 * The prepaid time a recorded purchase gives. Unlike planPrepaidPeriod there is no refusal: the
 * customer has paid, so the period is recorded as bought, starting where the coverage at the
 * payment's time ends.
 */
export function prepaidPeriodBought(interval: Plan['interval'], periods: number, paidAt: Date, existing: readonly PrepaidCoverage[]): { startsAt: Date; endsAt: Date } {
  if (!Number.isSafeInteger(periods) || periods < 1) throw new RangeError(`periods must be a whole number >= 1, got ${periods}`);
  const startsAt = coverageEnd(existing, paidAt) ?? new Date(paidAt.getTime());
  return { startsAt, endsAt: addInterval(startsAt, interval, periods) };
}
