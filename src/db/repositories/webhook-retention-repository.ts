import type { Queryable } from '../database.ts';

/**
 * Deletes up to `limit` deliveries that finished (succeeded or failed) before `before`, with their
 * attempts (ON DELETE CASCADE). The status is asked again on the row being deleted: a delivery
 * retried meanwhile (pending again) stays; rows another transaction holds are skipped.
 */
export async function deleteFinishedWebhookDeliveries(db: Queryable, input: { before: Date; limit: number }): Promise<number> {
  const result = await db.query(
    `DELETE FROM webhook_deliveries
      WHERE id IN (SELECT id FROM webhook_deliveries
                    WHERE status IN ('succeeded', 'failed') AND updated_at < $1
                    ORDER BY updated_at LIMIT $2 FOR UPDATE SKIP LOCKED)
        AND status IN ('succeeded', 'failed') AND updated_at < $1`,
    [input.before, input.limit],
  );
  return result.rowCount;
}

/**
 * Deletes up to `limit` events recorded before `before` that were fanned out and that no delivery
 * (pending, or finished but kept) refers to any more: nothing can deliver them again but a replay,
 * and a replay reaches back only as far as deliveries are kept.
 */
export async function deleteUndeliverableOutgoingEvents(db: Queryable, input: { before: Date; limit: number }): Promise<number> {
  const result = await db.query(
    `DELETE FROM outgoing_events
      WHERE id IN (SELECT e.id FROM outgoing_events e
                    WHERE e.created_at < $1 AND e.fanned_out_at IS NOT NULL
                      AND NOT EXISTS (SELECT 1 FROM webhook_deliveries d WHERE d.event_id = e.id)
                    ORDER BY e.created_at, e.id LIMIT $2 FOR UPDATE SKIP LOCKED)`,
    [input.before, input.limit],
  );
  return result.rowCount;
}
