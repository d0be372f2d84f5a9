import type { Queryable } from '../database.ts';
import { SELECT_SUBSCRIPTIONS, toSubscriptionRecord, type SubscriptionRecord, type SubscriptionRow } from './subscription-repository.ts';

/**
 * Where a page of candidates ends: the next page starts after this (date, id). The date is the one
 * the finder walks in order (the trial end, the period end, the past-due date).
 */
export type CandidateCursor = { at: Date; id: string };

export type CandidatePage = { candidates: SubscriptionRecord[]; next: CandidateCursor | null };

// The instant as the notice keys write it (Date.prototype.toISOString), so the outbox's unique
// index on business_key answers "already written?" for each candidate in one probe.
const isoOf = (column: string) => `to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;
const noticeWritten = (key: string) => `EXISTS (SELECT 1 FROM notification_outbox o WHERE o.business_key = ${key})`;

/**
 * The candidates' keys are found from the index alone (an index-only scan: the date, the id and
 * what the WHERE needs are in it, and the key is built from them); only the page's survivors are
 * then read whole, so a window of thousands of already-notified subscriptions costs no row reads.
 */
const pageOf = (date: string, where: string, limit: string) => `${SELECT_SUBSCRIPTIONS}
  JOIN (SELECT s.id, s.${date} AS candidate_at FROM subscriptions s WHERE ${where} ORDER BY s.${date}, s.id LIMIT ${limit}) AS k ON k.id = s.id
  ORDER BY k.candidate_at, k.id`;

async function readPage(db: Queryable, name: string, sql: string, params: readonly unknown[], dateOf: (row: SubscriptionRecord) => Date | null, limit: number): Promise<CandidatePage> {
  const result = await db.query<SubscriptionRow>(sql, params, { name });
  const candidates = result.rows.map(toSubscriptionRecord);
  const last = candidates.at(-1);
  const at = last ? dateOf(last) : null;
  return { candidates, next: candidates.length === limit && last && at ? { at, id: last.id } : null };
}

// The first page starts before every (date, id).
const cursorParams = (after: CandidateCursor | null): unknown[] => (after ? [after.at, after.id] : ['-infinity', '00000000-0000-0000-0000-000000000000']);

/**
 * Trialing subscriptions, not cancelling, whose trial ends in (now, now + lead] and whose reminder
 * or trial-ending notice is due and not in the outbox yet; in trial-end order, `limit` at a time.
 */
export function findTrialNoticeCandidates(
  db: Queryable,
  window: { now: Date; reminderUntil: Date; endingUntil: Date; planIds: readonly string[] },
  after: CandidateCursor | null,
  limit: number,
): Promise<CandidatePage> {
  const reminderKey = `'trial-reminder:' || s.id || ':' || ${isoOf('s.trial_end')}`;
  const endingKey = `'trial-ending:' || s.id || ':' || ${isoOf('s.trial_end')}`;
  const where = `s.status = 'trialing' AND NOT s.cancel_at_period_end AND s.plan_id = ANY($4::text[])
      AND s.trial_end > $1 AND s.trial_end <= GREATEST($2::timestamptz, $3::timestamptz)
      AND (s.trial_end, s.id) > ($5::timestamptz, $6::uuid)
      AND ((s.trial_end <= $2 AND NOT ${noticeWritten(reminderKey)}) OR (s.trial_end <= $3 AND NOT ${noticeWritten(endingKey)}))`;
  const sql = pageOf('trial_end', where, '$7');
  const params = [window.now, window.reminderUntil, window.endingUntil, window.planIds, ...cursorParams(after), limit];
  return readPage(db, 'notice-candidates-trial', sql, params, (row) => row.trialEnd, limit);
}

/**
 * Active subscriptions of one plan, not cancelling, whose period ends in (now, until] and whose
 * renewal reminder is not in the outbox yet; in period-end order, `limit` at a time. One plan per
 * query keeps it on the (plan_id, current_period_end, id) index in the order it pages in.
 */
export function findRenewalNoticeCandidates(db: Queryable, window: { now: Date; until: Date; planId: string }, after: CandidateCursor | null, limit: number): Promise<CandidatePage> {
  const key = `'renewal-reminder:' || s.id || ':' || ${isoOf('s.current_period_end')}`;
  const where = `s.status = 'active' AND NOT s.cancel_at_period_end AND s.plan_id = $3
      AND s.current_period_end > $1 AND s.current_period_end <= $2
      AND (s.current_period_end, s.id) > ($4::timestamptz, $5::uuid)
      AND NOT ${noticeWritten(key)}`;
  const sql = pageOf('current_period_end', where, '$6');
  const params = [window.now, window.until, window.planId, ...cursorParams(after), limit];
  return readPage(db, 'notice-candidates-renewal', sql, params, (row) => row.currentPeriodEnd, limit);
}

/**
 * Past-due subscriptions whose highest dunning step reached at `now` (the schedule's days after
 * `past_due_since`, counted in whole 24-hour days like the domain's addDays) is not in the outbox
 * yet; in past-due order, `limit` at a time.
 */
export function findDunningNoticeCandidates(
  db: Queryable,
  window: { now: Date; reachedBy: Date; scheduleDays: readonly number[]; planIds: readonly string[] },
  after: CandidateCursor | null,
  limit: number,
): Promise<CandidatePage> {
  const step = `(SELECT max(d.step) FROM unnest($3::int[]) WITH ORDINALITY AS d(day, step) WHERE s.past_due_since + d.day * interval '24 hours' <= $1)`;
  const key = `'dunning:' || s.id || ':' || ${isoOf('s.past_due_since')} || ':' || ${step}`;
  const where = `s.status = 'past_due' AND s.plan_id = ANY($4::text[])
      AND s.past_due_since <= $2
      AND (s.past_due_since, s.id) > ($5::timestamptz, $6::uuid)
      AND NOT ${noticeWritten(key)}`;
  const sql = pageOf('past_due_since', where, '$7');
  const params = [window.now, window.reachedBy, window.scheduleDays, window.planIds, ...cursorParams(after), limit];
  return readPage(db, 'notice-candidates-dunning', sql, params, (row) => row.pastDueSince, limit);
}
