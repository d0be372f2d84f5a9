import type { Queryable } from '../db/database.ts';
import { readMonthlyFigures } from '../db/repositories/notice-schedule-repository.ts';
import type { Plan } from '../domain/plan.ts';
import type { MoneyTotal, MonthlyReportPayload } from './notice-catalogue.ts';

/** One calendar month in UTC: `2026-03`, from its first instant up to (not including) the next month's. */
export type ReportMonth = { month: string; start: Date; end: Date };

/** The month before the one `now` falls in (UTC): the one a report written on the 1st is about. */
export function previousMonth(now: Date): ReportMonth {
  const start = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - 1, 1));
  const end = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1));
  return { month: start.toISOString().slice(0, 7), start, end };
}

/**
 * Monthly recurring revenue per currency: monthly prices plus a twelfth of yearly ones. The
 * twelfths are summed before rounding (half up), so many yearly plans do not add rounding errors.
 */
export function computeMrr(livePerPlan: readonly { planId: string; count: number }[], plans: readonly Plan[]): MoneyTotal[] {
  const twelfths = new Map<string, number>();
  for (const { planId, count } of livePerPlan) {
    const plan = plans.find((candidate) => candidate.id === planId);
    if (!plan) continue;
    const perYear = plan.amountMinor * count * (plan.interval === 'month' ? 12 : 1);
    twelfths.set(plan.currency, (twelfths.get(plan.currency) ?? 0) + perYear);
  }
  return [...twelfths.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([currency, total]) => ({ currency, amount_minor: Math.floor((total + 6) / 12) }));
}

/**
 * The admin report's figures: subscriptions active, trialing and past due at the time of writing,
 * those created and those that ended within the month, the month's revenue (payments made in it,
 * less what was refunded of them) and the recurring revenue of what is live now.
 */
export async function buildMonthlyReport(db: Queryable, month: ReportMonth, plans: readonly Plan[]): Promise<MonthlyReportPayload> {
  const figures = await readMonthlyFigures(db, month);
  return {
    month: month.month,
    active: figures.byStatus.active,
    trialing: figures.byStatus.trialing,
    past_due: figures.byStatus.past_due,
    new: figures.created,
    churned: figures.ended,
    revenue: figures.revenue.map((total) => ({ currency: total.currency, amount_minor: total.amountMinor })),
    mrr: computeMrr(figures.livePerPlan, plans),
  };
}
