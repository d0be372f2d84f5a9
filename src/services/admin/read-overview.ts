import { readOverviewFigures } from '../../db/repositories/admin-overview-repository.ts';
import type { MoneyTotal } from '../../notifications/notice-catalogue.ts';
import { computeMrr } from '../../notifications/build-monthly-report.ts';
import type { ServiceContext } from '../service-context.ts';
import { readOverviewHistory, type MonthFigures } from './read-overview-history.ts';

export type Overview = {
  /** The calendar month (UTC) the "this month" figures cover, e.g. `2026-03`. */
  month: string;
  /** Per currency, in minor units: active subscriptions' monthly prices plus a twelfth of yearly ones. */
  mrr: MoneyTotal[];
  active: number;
  trialing: number;
  pastDue: number;
  canceledThisMonth: number;
  failedPaymentsThisMonth: number;
  /** Active subscriptions on a plan the catalogue no longer has: no price, so not in the MRR. */
  activeWithoutPrice: number;
  /** The last twelve calendar months, oldest first, the current one (so far) last: churn, trial conversion, charts. */
  history: MonthFigures[];
  /** Trials that ended within those twelve months, and how many were then charged. */
  trialConversion: { ended: number; converted: number; rate: number | null };
};

/** The UTC calendar month `now` falls in, as the monthly report counts months. */
function currentMonth(now: Date): { month: string; start: Date; end: Date } {
  const start = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1));
  const end = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + 1, 1));
  return { month: start.toISOString().slice(0, 7), start, end };
}

/**
 * The dashboard's overview. MRR counts active subscriptions only (trials pay nothing yet; a past-due
 * one is shown on its own), at the catalogue's prices: yearly prices are summed per currency first
 * and divided by twelve once, rounded half up, so the figure is off by at most half a minor unit
 * however many yearly plans there are (computeMrr, the monthly report's rule).
 */
export async function readOverview(ctx: Pick<ServiceContext, 'db' | 'clock' | 'config'>): Promise<Overview> {
  const window = currentMonth(ctx.clock.now());
  const figures = await readOverviewFigures(ctx.db, window);
  const plans = ctx.config.catalogue.plans;
  const priced = new Set(plans.map((plan) => plan.id));
  const history = await readOverviewHistory(ctx, plans);
  const ended = history.reduce((sum, month) => sum + month.trialsEnded, 0);
  const converted = history.reduce((sum, month) => sum + month.trialsConverted, 0);
  return {
    month: window.month,
    mrr: computeMrr(figures.activePerPlan, plans),
    active: figures.byStatus.active,
    trialing: figures.byStatus.trialing,
    pastDue: figures.byStatus.past_due,
    canceledThisMonth: figures.canceled,
    failedPaymentsThisMonth: figures.failedPayments,
    activeWithoutPrice: figures.activePerPlan.filter((row) => !priced.has(row.planId)).reduce((sum, row) => sum + row.count, 0),
    history,
    trialConversion: { ended, converted, rate: ended === 0 ? null : converted / ended },
  };
}
