import type { Queryable } from '../db/database.ts';
import type { ProcessingOutcome } from './inbox-event.ts';

export type Claim = { id: number; attempt: number };

// Named prepared statements (fixed texts): the worker runs them for every event.
// A claim is still ours while the row is 'processing' with the attempt number we set. A worker
// whose lease lapsed finds it changed (released, re-claimed with attempts + 1) and writes nothing.
const STILL_OURS = "id = $1 AND status = 'processing' AND attempts = $2";

/** In the transaction of the event's effects: true when the mark landed (the claim was still ours). */
export async function markInboxEventDone(tx: Queryable, claim: Claim, outcome: ProcessingOutcome, now: Date): Promise<boolean> {
  const status = outcome.outcome === 'applied' ? 'processed' : 'ignored';
  // last_error is the row's one free-text column; for an ignored event it says why.
  const note = outcome.outcome === 'ignored' ? `ignored: ${outcome.reason}` : null;
  const result = await tx.query(
    `UPDATE webhook_inbox SET status = $3, processed_at = $4, lease_expires_at = NULL, next_attempt_at = NULL, last_error = $5 WHERE ${STILL_OURS}`,
    [claim.id, claim.attempt, status, now, note],
    { name: 'webhook_inbox_mark_done' },
  );
  return result.rowCount === 1;
}

export type DoneMark = { claim: Claim; outcome: ProcessingOutcome };

/**
 * markInboxEventDone for several claims in one statement (an object group's events, in the
 * transaction of their effects; or events no processor takes): the ids whose mark landed. A claim
 * missing from the answer was no longer ours.
 */
export async function markInboxEventsDone(tx: Queryable, marks: readonly DoneMark[], now: Date): Promise<Set<number>> {
  if (marks.length === 0) return new Set();
  const rows = marks.map(({ claim, outcome }) => ({
    id: claim.id,
    attempt: claim.attempt,
    status: outcome.outcome === 'applied' ? 'processed' : 'ignored',
    note: outcome.outcome === 'ignored' ? `ignored: ${outcome.reason}` : null,
  }));
  const result = await tx.query<{ id: string | number }>(
    `UPDATE webhook_inbox AS inbox
        SET status = mark.status, processed_at = $2, lease_expires_at = NULL, next_attempt_at = NULL, last_error = mark.note
       FROM jsonb_to_recordset($1::jsonb) AS mark(id bigint, attempt int, status text, note text)
      WHERE inbox.id = mark.id AND inbox.status = 'processing' AND inbox.attempts = mark.attempt
      RETURNING inbox.id`,
    [JSON.stringify(rows), now],
    { name: 'webhook_inbox_mark_many_done' },
  );
  return new Set(result.rows.map((row) => Number(row.id)));
}

/** Schedules another attempt; false when the claim was no longer ours. */
export async function markInboxEventFailed(tx: Queryable, claim: Claim, message: string, nextAttemptAt: Date): Promise<boolean> {
  const result = await tx.query(
    `UPDATE webhook_inbox SET status = 'failed', last_error = $3, next_attempt_at = $4, lease_expires_at = NULL WHERE ${STILL_OURS}`,
    [claim.id, claim.attempt, message, nextAttemptAt],
    { name: 'webhook_inbox_mark_failed' },
  );
  return result.rowCount === 1;
}

/** Out of attempts: the row waits for a person (replay). */
export async function markInboxEventDead(tx: Queryable, claim: Claim, message: string): Promise<boolean> {
  const result = await tx.query(
    `UPDATE webhook_inbox SET status = 'dead', last_error = $3, next_attempt_at = NULL, lease_expires_at = NULL WHERE ${STILL_OURS}`,
    [claim.id, claim.attempt, message],
    { name: 'webhook_inbox_mark_dead' },
  );
  return result.rowCount === 1;
}
