import type { Queryable } from '../database.ts';
import { ENDED_AT } from './notice-schedule-repository.ts';

/** A payment that took money (later refunds or disputes do not undo that it was charged). */
const CHARGED = (p: string) => `${p}.status IN ('succeeded', 'partially_refunded', 'refunded', 'disputed') AND ${p}.amount_minor > 0`;
/** A payment's date: the provider's invoice time (recur's record time only where the provider gave none). */
const PAID_AT = (p: string) => `COALESCE(${p}.invoice_at, ${p}.created_at)`;

/** Each subscription's first charged payment, read in one pass over the payments. */
const FIRST_CHARGED = `first_charged AS MATERIALIZED (
  SELECT p.subscription_id, min(${PAID_AT('p')}) AS at FROM payments p WHERE p.subscription_id IS NOT NULL AND ${CHARGED('p')} GROUP BY p.subscription_id
)`;

/**
 * Each subscription's paying span, from dated facts only: it began with its first charged payment
 * (the provider's invoice time), or, when recur holds no such payment, when its trial ended or
 * recur recorded it; it ended when it was canceled (ENDED_AT: the period end of a cancel at period
 * end, else the cancel time); a current past-due spell counts from past_due_since. Trialing,
 * paused and incomplete subscriptions have no such span: they pay nothing, and when a pause began
 * is not recorded. MATERIALIZED: read once per statement, not again for every instant it is joined with.
 */
const SPANS = `${FIRST_CHARGED}, spans AS MATERIALIZED (
  SELECT s.plan_id,
         COALESCE(first_charged.at, s.trial_end, s.created_at) AS began,
         CASE WHEN s.status = 'canceled' THEN ${ENDED_AT} END AS ended,
         CASE WHEN s.status = 'past_due' THEN COALESCE(s.past_due_since, s.updated_at) END AS past_due_from
    FROM subscriptions s LEFT JOIN first_charged ON first_charged.subscription_id = s.id
   WHERE s.status IN ('active', 'past_due', 'canceled')
)`;

const LIVE_AT = (at: string) => `spans.began <= ${at} AND (spans.ended IS NULL OR spans.ended > ${at}) AND (spans.past_due_from IS NULL OR spans.past_due_from > ${at})`;

/** A window of time: a calendar month, its end cut at now for the month still going on. */
export type Window = { start: Date; end: Date };

export type HistoryRows = {
  /** Per instant (its index in `instants`) and plan: subscriptions live and paying then. */
  livePerPlan: { point: number; planId: string; count: number }[];
  /** Per window (its index): subscriptions live at its start that ended within it. */
  churned: number[];
  /** Per window: trials that ended within it, and how many of those were then charged. */
  trials: { ended: number; converted: number }[];
  /** Per window: payments that failed, by the provider's invoice time. */
  failedPayments: number[];
};

/** A trial's end: a trial canceled before its end ended when it was canceled. */
const TRIALS = `trials AS MATERIALIZED (
  SELECT CASE WHEN s.status = 'canceled' THEN LEAST(s.trial_end, ${ENDED_AT}) ELSE s.trial_end END AS ended_at, first_charged.at IS NOT NULL AS converted
    FROM subscriptions s LEFT JOIN first_charged ON first_charged.subscription_id = s.id
   WHERE s.trial_end IS NOT NULL
)`;

type Row = { kind: 'live' | 'churned' | 'trials' | 'failed'; point: string | number; plan_id: string | null; n: number; converted: number };

/**
 * Every figure in one statement, so the payments are aggregated once: $1 the instants, $2 and $3
 * the windows' starts and ends. Each part answers one row per instant or window (and plan).
 */
const HISTORY = `WITH ${SPANS}, ${TRIALS},
  windows AS (SELECT * FROM unnest($2::timestamptz[], $3::timestamptz[]) WITH ORDINALITY AS w (start, finish, point))
SELECT 'live' AS kind, i.point, spans.plan_id, count(*)::int AS n, 0 AS converted
  FROM unnest($1::timestamptz[]) WITH ORDINALITY AS i (at, point) JOIN spans ON ${LIVE_AT('i.at')}
 GROUP BY i.point, spans.plan_id
UNION ALL
SELECT 'churned', w.point, NULL, count(spans.began)::int, 0
  FROM windows w LEFT JOIN spans ON ${LIVE_AT('w.start')} AND spans.ended < w.finish
 GROUP BY w.point
UNION ALL
SELECT 'trials', w.point, NULL, count(trials.ended_at)::int, count(trials.ended_at) FILTER (WHERE trials.converted)::int
  FROM windows w LEFT JOIN trials ON trials.ended_at >= w.start AND trials.ended_at < w.finish
 GROUP BY w.point
UNION ALL
SELECT 'failed', w.point, NULL, count(p.id)::int, 0
  FROM windows w LEFT JOIN payments p ON p.status = 'failed' AND ${PAID_AT('p')} >= w.start AND ${PAID_AT('p')} < w.finish
 GROUP BY w.point`;

export async function readHistoryRows(db: Queryable, instants: readonly Date[], windows: readonly Window[]): Promise<HistoryRows> {
  const result = await db.query<Row>(HISTORY, [[...instants], windows.map((window) => window.start), windows.map((window) => window.end)]);
  const perWindow = <Value>(kind: Row['kind'], pick: (row: Row) => Value): Value[] => {
    const values: Value[] = [];
    for (const row of result.rows) if (row.kind === kind) values[Number(row.point) - 1] = pick(row);
    return values;
  };
  return {
    livePerPlan: result.rows.filter((row) => row.kind === 'live').map((row) => ({ point: Number(row.point) - 1, planId: row.plan_id!, count: row.n })),
    churned: perWindow('churned', (row) => row.n),
    trials: perWindow('trials', (row) => ({ ended: row.n, converted: row.converted })),
    failedPayments: perWindow('failed', (row) => row.n),
  };
}
