import { readHistoryRows, type Window } from '../../db/repositories/admin-history-repository.ts';
import type { Plan } from '../../domain/plan.ts';
import { computeMrr } from '../../notifications/build-monthly-report.ts';
import type { MoneyTotal } from '../../notifications/notice-catalogue.ts';
import type { ServiceContext } from '../service-context.ts';

/** How many calendar months the overview's charts cover, the current one included. */
export const HISTORY_MONTHS = 12;

/** One calendar month (UTC) of the overview's history; the current month ends now. */
export type MonthFigures = {
  month: string;
  /** Paying subscriptions at the month's first instant, and at its end (now, for the current month). */
  activeAtStart: number;
  activeAtEnd: number;
  /** The recurring revenue of those live at the month's end, per currency (computeMrr). */
  mrrAtEnd: MoneyTotal[];
  /** Of those paying at the month's start, how many ended within it; the rate is null when none paid. */
  churned: number;
  churnRate: number | null;
  /** Trials that ended within the month, and how many of them were then charged. */
  trialsEnded: number;
  trialsConverted: number;
  conversionRate: number | null;
  failedPayments: number;
};

/** The first instant of each of the last `count` calendar months (UTC), oldest first, the one `now` is in last. */
export function monthStarts(now: Date, count: number): Date[] {
  return Array.from({ length: count }, (_, index) => new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - (count - 1 - index), 1)));
}

const rate = (part: number, whole: number): number | null => (whole === 0 ? null : part / whole);

/**
 * The overview's figures month by month for the last twelve months, rebuilt from dated facts
 * (readHistoryRows: payments' provider times, trial ends, cancel times), never from when recur
 * received a message. A subscription counts at its current plan: a switch between monthly and
 * yearly is not dated in recur's records, so a past month's MRR is that of today's plans.
 */
export async function readOverviewHistory(ctx: Pick<ServiceContext, 'db' | 'clock'>, plans: readonly Plan[]): Promise<MonthFigures[]> {
  const now = ctx.clock.now();
  const starts = monthStarts(now, HISTORY_MONTHS);
  const windows: Window[] = starts.map((start, index) => ({ start, end: starts[index + 1] ?? now }));
  // The live counts at each month's start, and now (the current month's end).
  const instants = [...starts, now];
  const rows = await readHistoryRows(ctx.db, instants, windows);
  const livePerPlan = instants.map((_, point) => rows.livePerPlan.filter((row) => row.point === point));
  const count = (point: number) => livePerPlan[point]!.reduce((sum, row) => sum + row.count, 0);
  return windows.map((window, index) => {
    const activeAtStart = count(index);
    const churned = rows.churned[index] ?? 0;
    const trials = rows.trials[index] ?? { ended: 0, converted: 0 };
    return {
      month: window.start.toISOString().slice(0, 7),
      activeAtStart,
      activeAtEnd: count(index + 1),
      mrrAtEnd: computeMrr(livePerPlan[index + 1]!, plans),
      churned,
      churnRate: rate(churned, activeAtStart),
      trialsEnded: trials.ended,
      trialsConverted: trials.converted,
      conversionRate: rate(trials.converted, trials.ended),
      failedPayments: rows.failedPayments[index] ?? 0,
    };
  });
}
