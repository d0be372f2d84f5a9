import type { Queryable } from '../db/database.ts';
import type { ProviderId } from '../domain/provider.ts';
import type { InboxEvent } from './inbox-event.ts';

type ClaimedRow = { id: string | number; provider: string; provider_event_id: string; type: string; payload: unknown; attempts: number; received_at: Date };

/**
 * Takes up to `limit` due rows for this worker: status 'processing', one more attempt, and a lease
 * after which release-expired-inbox-claims hands the row out again. SKIP LOCKED lets any number
 * of workers claim at once without waiting on, or taking, each other's rows.
 */
export async function claimDueInboxEvents(db: Queryable, options: { now: Date; leaseMs: number; limit: number }): Promise<InboxEvent[]> {
  const result = await db.query<ClaimedRow>(
    `UPDATE webhook_inbox
        SET status = 'processing', attempts = attempts + 1, lease_expires_at = $2, next_attempt_at = NULL
      WHERE id IN (
        SELECT id FROM webhook_inbox
         WHERE status IN ('received', 'failed') AND (next_attempt_at IS NULL OR next_attempt_at <= $1)
         ORDER BY id
         LIMIT $3
         FOR UPDATE SKIP LOCKED)
      RETURNING id, provider, provider_event_id, type, payload, attempts, received_at`,
    [options.now, new Date(options.now.getTime() + options.leaseMs), options.limit],
    { name: 'webhook_inbox_claim' },
  );
  return result.rows
    .map((row) => ({
      id: Number(row.id),
      // The table also admits messaging providers; those find no processor and are ignored.
      provider: row.provider as ProviderId,
      providerEventId: row.provider_event_id,
      type: row.type,
      payload: row.payload,
      attempt: row.attempts,
      receivedAt: row.received_at,
    }))
    .sort((a, b) => a.id - b.id);
}
