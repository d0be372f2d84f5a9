import type { Queryable } from '../db/database.ts';
import type { OutgoingEventType } from '../domain/outgoing-event-type.ts';

/**
 * The number of the next decision of one kind about one object (the 2nd cancel of a subscription,
 * say), for business keys of facts that can happen again with nothing else telling them apart: a
 * resume and a second cancel in one provider second carry the same times. Read under the customer
 * row's lock, so a redecision in the same state finds the same number. One more than the highest
 * number recorded, not the count of those recorded: old events are deleted
 * (WEBHOOK_DELIVERY_RETENTION_DAYS), and a count would then hand out a number still in use.
 */
export async function nextDecisionNumber(tx: Queryable, input: { customerId: string; type: OutgoingEventType; keyPrefix: string }): Promise<number> {
  const result = await tx.query<{ n: number }>(
    `SELECT coalesce(max(split_part(substr(business_key, length($3) + 1), ':', 1)::int), 0) AS n
       FROM outgoing_events WHERE customer_id = $1 AND type = $2 AND starts_with(business_key, $3)`,
    [input.customerId, input.type, input.keyPrefix],
  );
  return result.rows[0]!.n + 1;
}
