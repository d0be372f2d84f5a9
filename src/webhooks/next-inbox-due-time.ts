import type { Queryable } from '../db/database.ts';

/**
 * When the inbox next has work that no wake-up announces: the earliest retry of a failed event,
 * or the earliest lapse of a claim (a worker that died mid-event). Both read partial indexes
 * that hold only such rows, so this is cheap however long the inbox's history.
 */
export async function nextInboxDueTime(db: Queryable): Promise<Date | null> {
  const result = await db.query<{ due: Date | null }>(
    `SELECT least(
        (SELECT min(next_attempt_at) FROM webhook_inbox WHERE status IN ('received', 'failed')),
        (SELECT min(lease_expires_at) FROM webhook_inbox WHERE status = 'processing')
      ) AS due`,
    [],
    { name: 'webhook_inbox_next_due' },
  );
  const due = result.rows[0]?.due;
  return due ? new Date(due) : null;
}
