import type { Queryable } from '../database.ts';
import type { NewInboxEvent } from './webhook-inbox-repository.ts';

/**
 * An event read back from a provider's events list. `settled` null: the worker applies it like
 * any delivery. Otherwise it is stored already done (`ignored`, the reason in last_error as the
 * worker writes it), because applying it would change nothing: its row still dedupes a later
 * delivery of the same event id.
 */
export type RecoveredInboxEvent = NewInboxEvent & { settled: { reason: string } | null };

/**
 * A page of recovered events in one INSERT (arrays unnested into rows); the unique
 * (provider, provider_event_id) index drops the ones already stored. Answers the provider event
 * ids of the rows it inserted.
 */
export async function insertRecoveredInboxEvents(tx: Queryable, events: readonly RecoveredInboxEvent[], receivedAt: Date): Promise<Set<string>> {
  if (events.length === 0) return new Set();
  const result = await tx.query<{ provider_event_id: string }>(
    `INSERT INTO webhook_inbox (provider, provider_event_id, type, payload, provider_created_at, received_at, status, last_error, processed_at)
     SELECT event.provider, event.provider_event_id, event.type, event.payload::jsonb, event.provider_created_at, $1,
            CASE WHEN event.settled_reason IS NULL THEN 'received' ELSE 'ignored' END,
            CASE WHEN event.settled_reason IS NULL THEN NULL ELSE 'ignored: ' || event.settled_reason END,
            CASE WHEN event.settled_reason IS NULL THEN NULL ELSE $1::timestamptz END
       FROM unnest($2::text[], $3::text[], $4::text[], $5::text[], $6::timestamptz[], $7::text[]) WITH ORDINALITY
            AS event(provider, provider_event_id, type, payload, provider_created_at, settled_reason, position)
      ORDER BY event.position
     ON CONFLICT (provider, provider_event_id) DO NOTHING
     RETURNING provider_event_id`,
    [
      receivedAt,
      events.map((event) => event.provider),
      events.map((event) => event.providerEventId),
      events.map((event) => event.type),
      events.map((event) => JSON.stringify(event.payload)),
      events.map((event) => event.providerCreatedAt),
      events.map((event) => event.settled?.reason ?? null),
    ],
  );
  return new Set(result.rows.map((row) => row.provider_event_id));
}
