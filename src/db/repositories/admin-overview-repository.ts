import type { Queryable } from '../database.ts';
import { ENDED_AT } from './notice-schedule-repository.ts';

/** The dashboard's figures: subscriptions by status now, and what happened within [start, end). */
export type OverviewFigures = {
  byStatus: { active: number; trialing: number; past_due: number };
  canceled: number;
  failedPayments: number;
  /** Active subscriptions per plan, for the recurring revenue. */
  activePerPlan: { planId: string; count: number }[];
};

export async function readOverviewFigures(db: Queryable, window: { start: Date; end: Date }): Promise<OverviewFigures> {
  const perPlan = await db.query<{ status: 'active' | 'trialing' | 'past_due'; plan_id: string; n: number }>(
    `SELECT status, plan_id, count(*)::int AS n FROM subscriptions WHERE status IN ('active', 'trialing', 'past_due') GROUP BY status, plan_id ORDER BY status, plan_id`,
  );
  const byStatus = { active: 0, trialing: 0, past_due: 0 };
  for (const row of perPlan.rows) byStatus[row.status] += row.n;
  // Ended within the window: a cancel at period end counts in the month its period ends.
  const canceled = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM subscriptions WHERE status = 'canceled' AND ${ENDED_AT} >= $1 AND ${ENDED_AT} < $2`, [window.start, window.end]);
  const failed = await db.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM payments WHERE status = 'failed' AND COALESCE(invoice_at, created_at) >= $1 AND COALESCE(invoice_at, created_at) < $2`,
    [window.start, window.end],
  );
  return {
    byStatus,
    canceled: canceled.rows[0]!.n,
    failedPayments: failed.rows[0]!.n,
    activePerPlan: perPlan.rows.filter((row) => row.status === 'active').map((row) => ({ planId: row.plan_id, count: row.n })),
  };
}
