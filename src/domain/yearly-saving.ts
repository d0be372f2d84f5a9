import { createMoney, isSameCurrency, type Money } from './money.ts';
import type { Plan } from './plan.ts';

export type YearlySaving =
  | {
      ok: true;
      /** Twelve monthly payments, what the saving is measured against. */
      twelveMonthly: Money;
      saving: Money;
      /** Whole percent, rounded down so the page never promises more than the customer gets. */
      percent: number;
      /** The same ratio in hundredths of a percent (1666 = 16.66 %), also rounded down. */
      basisPoints: number;
      /** Whole monthly payments the saving covers ("2 months free"), rounded down. */
      monthsFree: number;
    }
  | { ok: false; reason: 'currency_mismatch' | 'interval_mismatch' | 'no_saving' };

/**
 * What choosing yearly saves over paying monthly for a year. All integer arithmetic: the products
 * stay far below 2^53, so floor of an integer ratio is exact. 'no_saving' lets a page hide the
 * badge when the yearly plan is not cheaper.
 */
export function calculateYearlySaving(monthly: Plan, yearly: Plan): YearlySaving {
  if (monthly.interval !== 'month' || yearly.interval !== 'year') return { ok: false, reason: 'interval_mismatch' };
  if (!isSameCurrency(monthly, yearly)) return { ok: false, reason: 'currency_mismatch' };
  const twelveMonthlyMinor = monthly.amountMinor * 12;
  const savingMinor = twelveMonthlyMinor - yearly.amountMinor;
  if (savingMinor <= 0) return { ok: false, reason: 'no_saving' };
  return {
    ok: true,
    twelveMonthly: createMoney(twelveMonthlyMinor, monthly.currency),
    saving: createMoney(savingMinor, monthly.currency),
    percent: Math.floor((savingMinor * 100) / twelveMonthlyMinor),
    basisPoints: Math.floor((savingMinor * 10_000) / twelveMonthlyMinor),
    monthsFree: Math.floor(savingMinor / monthly.amountMinor),
  };
}
