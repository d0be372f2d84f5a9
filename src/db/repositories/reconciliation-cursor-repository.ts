import type { ProviderId } from '../../domain/provider.ts';
import type { Queryable } from '../database.ts';

export type EventCursor = { lastEventId: string; lastEventCreated: Date };

export async function readEventCursor(db: Queryable, provider: ProviderId): Promise<EventCursor | null> {
  const result = await db.query<{ last_event_id: string; last_event_created: Date }>('SELECT last_event_id, last_event_created FROM provider_event_cursors WHERE provider = $1', [provider]);
  const row = result.rows[0];
  return row ? { lastEventId: row.last_event_id, lastEventCreated: row.last_event_created } : null;
}

/** Moves the cursor forward only: a slower, older run finishing late never moves it back. */
export async function advanceEventCursor(tx: Queryable, provider: ProviderId, cursor: EventCursor, now: Date): Promise<void> {
  await tx.query(
    `INSERT INTO provider_event_cursors (provider, last_event_id, last_event_created, updated_at) VALUES ($1, $2, $3, $4)
     ON CONFLICT (provider) DO UPDATE SET last_event_id = EXCLUDED.last_event_id, last_event_created = EXCLUDED.last_event_created, updated_at = EXCLUDED.updated_at
     WHERE provider_event_cursors.last_event_created <= EXCLUDED.last_event_created`,
    [provider, cursor.lastEventId, cursor.lastEventCreated, now],
  );
}
