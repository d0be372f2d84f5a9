import type { OutgoingEventType } from '../../domain/outgoing-event-type.ts';
import type { Queryable } from '../database.ts';

export type NewOutgoingEvent = {
  type: OutgoingEventType;
  customerId: string;
  /** Unique per decision (`payment.succeeded:{payment id}`); deciding again records nothing. */
  businessKey: string;
  /** The full current object, as the API presents it. */
  data: Record<string, unknown>;
  /** The time of the fact. */
  occurredAt: Date;
  now: Date;
};

export type RecordedOutgoingEvent = { id: string; sequence: number };

/**
 * Records one event for the shop's endpoints in the caller's transaction (the change that causes
 * it), numbered next in its customer's sequence. Takes the customer row's lock until the
 * transaction ends, so a customer's events are numbered in commit order. Null when an event with
 * the same business key exists (a number can then be skipped, if two writers raced on one key:
 * sequences increase, they need not be contiguous).
 */
export async function recordOutgoingEvent(tx: Queryable, event: NewOutgoingEvent): Promise<RecordedOutgoingEvent | null> {
  const result = await tx.query<{ id: string; sequence: string | number }>(
    `WITH numbered AS (
       UPDATE customers SET event_sequence = event_sequence + 1
        WHERE id = $2 AND NOT EXISTS (SELECT 1 FROM outgoing_events WHERE business_key = $3)
        RETURNING event_sequence)
     INSERT INTO outgoing_events (type, customer_id, sequence, business_key, data, occurred_at, created_at)
     SELECT $1, $2, event_sequence, $3, $4, $5, $6 FROM numbered
     ON CONFLICT (business_key) DO NOTHING
     RETURNING id, sequence`,
    [event.type, event.customerId, event.businessKey, JSON.stringify(event.data), event.occurredAt, event.now],
    { name: 'outgoing_events_record' },
  );
  const row = result.rows[0];
  return row ? { id: row.id, sequence: Number(row.sequence) } : null;
}
