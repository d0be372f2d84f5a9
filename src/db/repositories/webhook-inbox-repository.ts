import type { Queryable } from '../database.ts';
import { readKeysetPage, type KeysetList, type Page, type PageRequest } from '../keyset-page.ts';

export type InboxStatus = 'received' | 'processing' | 'processed' | 'ignored' | 'failed' | 'dead';

/** `payloadText`: the payload's JSON text, when it is stored as it is (else `payload` is serialized). */
export type NewInboxEvent = { provider: string; providerEventId: string; type: string; payload: unknown; providerCreatedAt: Date | null; payloadText?: string };

export type InboxRecord = {
  id: number;
  provider: string;
  providerEventId: string;
  type: string;
  status: InboxStatus;
  attempts: number;
  nextAttemptAt: Date | null;
  lastError: string | null;
  providerCreatedAt: Date | null;
  receivedAt: Date;
  processedAt: Date | null;
  /** Only when asked for: payloads can be large and carry personal data. */
  payload?: unknown;
};

type InboxRow = {
  id: string | number;
  provider: string;
  provider_event_id: string;
  type: string;
  status: InboxStatus;
  attempts: number;
  next_attempt_at: Date | null;
  last_error: string | null;
  provider_created_at: Date | null;
  received_at: Date;
  processed_at: Date | null;
  payload?: unknown;
};

const COLUMNS = 'id, provider, provider_event_id, type, status, attempts, next_attempt_at, last_error, provider_created_at, received_at, processed_at';

export const toInboxRecord = (row: InboxRow): InboxRecord => ({
  id: Number(row.id),
  provider: row.provider,
  providerEventId: row.provider_event_id,
  type: row.type,
  status: row.status,
  attempts: row.attempts,
  nextAttemptAt: row.next_attempt_at,
  lastError: row.last_error,
  providerCreatedAt: row.provider_created_at,
  receivedAt: row.received_at,
  processedAt: row.processed_at,
  ...('payload' in row ? { payload: row.payload } : {}),
});

/** The unique (provider, provider_event_id) index decides duplicates: true when the row is new. */
export async function insertInboxEvent(db: Queryable, event: NewInboxEvent, receivedAt: Date): Promise<boolean> {
  const inserted = await insertInboxEvents(db, [{ event, receivedAt }]);
  return inserted.size === 1;
}

/** The key the unique index holds an event by, as `insertInboxEvents` reports the rows it wrote. */
export const inboxEventKey = (provider: string, providerEventId: string): string => `${provider}\u0000${providerEventId}`;

// One text for any number of rows, so it is prepared once per connection. The payloads go as one
// JSON array (joined texts, no escaping) and are paired with the other columns by position: as a
// text[] every payload was escaped quote by quote for the array syntax. An event id twice in one
// call is stored once: the second row meets the first and does nothing.
const INSERT_MANY = `INSERT INTO webhook_inbox (provider, provider_event_id, type, payload, provider_created_at, received_at)
  SELECT row.provider, row.provider_event_id, row.type, body.payload, row.provider_created_at, row.received_at
    FROM unnest($1::text[], $2::text[], $3::text[], $5::timestamptz[], $6::timestamptz[]) WITH ORDINALITY
      AS row (provider, provider_event_id, type, provider_created_at, received_at, position)
    JOIN jsonb_array_elements($4::jsonb) WITH ORDINALITY AS body (payload, position) USING (position)
  ON CONFLICT (provider, provider_event_id) DO NOTHING
  RETURNING provider, provider_event_id`;

/**
 * Many events in one statement (one round trip, one commit when run outside a transaction): the
 * keys (`inboxEventKey`) of the rows written; an event missing from the set was already stored.
 */
export async function insertInboxEvents(db: Queryable, events: readonly { event: NewInboxEvent; receivedAt: Date }[]): Promise<Set<string>> {
  const result = await db.query<{ provider: string; provider_event_id: string }>(
    INSERT_MANY,
    [
      events.map(({ event }) => event.provider),
      events.map(({ event }) => event.providerEventId),
      events.map(({ event }) => event.type),
      `[${events.map(({ event }) => event.payloadText ?? JSON.stringify(event.payload)).join(',')}]`,
      events.map(({ event }) => event.providerCreatedAt),
      events.map(({ receivedAt }) => receivedAt),
    ],
    { name: 'webhook_inbox_insert_many' },
  );
  return new Set(result.rows.map((row) => inboxEventKey(row.provider, row.provider_event_id)));
}

/** An event that will never be processed (see toStorableEvent): stored dead with the reason; its id, or null for a duplicate. */
export async function insertParkedInboxEvent(db: Queryable, event: NewInboxEvent, reason: string, receivedAt: Date): Promise<number | null> {
  const result = await db.query<{ id: string | number }>(
    `INSERT INTO webhook_inbox (provider, provider_event_id, type, payload, provider_created_at, received_at, status, last_error)
     VALUES ($1, $2, $3, $4, $5, $6, 'dead', $7) ON CONFLICT (provider, provider_event_id) DO NOTHING RETURNING id`,
    [event.provider, event.providerEventId, event.type, JSON.stringify(event.payload), event.providerCreatedAt, receivedAt, reason],
  );
  const row = result.rows[0];
  return row ? Number(row.id) : null;
}

export async function findInboxEvents(db: Queryable, idOrEventId: string, options: { forUpdate?: boolean } = {}): Promise<InboxRecord[]> {
  const lock = options.forUpdate ? ' FOR UPDATE' : '';
  const byId = /^\d{1,15}$/.test(idOrEventId);
  const result = await db.query<InboxRow>(
    `SELECT ${COLUMNS} FROM webhook_inbox WHERE ${byId ? 'id = $1' : 'provider_event_id = $1'} ORDER BY id${lock}`,
    [byId ? Number(idOrEventId) : idOrEventId],
  );
  return result.rows.map(toInboxRecord);
}

/** One event by recur's inbox id, with its payload (for the dashboard's event page); null when there is none. */
export async function findInboxEventWithPayload(db: Queryable, id: number): Promise<InboxRecord | null> {
  const result = await db.query<InboxRow>(`SELECT ${COLUMNS}, payload FROM webhook_inbox WHERE id = $1`, [id]);
  return result.rows[0] ? toInboxRecord(result.rows[0]) : null;
}

export type InboxFilter = PageRequest<number> & { status?: InboxStatus | undefined; provider?: string | undefined; withPayload?: boolean };

const inboxList = (withPayload: boolean): KeysetList => ({
  select: `SELECT ${COLUMNS}${withPayload ? ', payload' : ''} FROM webhook_inbox`,
  // The identity id is the order of arrival: its primary key serves every page.
  order: ['id'],
  cursorRow: 'SELECT id FROM webhook_inbox WHERE id = $1',
  created: 'received_at',
  what: 'inbox event',
});

/** Newest first; the cursor is the last id of the previous page. */
export function listInboxEvents(db: Queryable, filter: InboxFilter): Promise<Page<InboxRecord>> {
  return readKeysetPage(db, inboxList(filter.withPayload ?? false), [['status = ?', filter.status], ['provider = ?', filter.provider]], filter, toInboxRecord);
}

/** Puts a row back in the queue as if it had just arrived. */
export async function resetInboxEventForReplay(tx: Queryable, id: number): Promise<InboxRecord> {
  const result = await tx.query<InboxRow>(
    `UPDATE webhook_inbox
        SET status = 'received', attempts = 0, next_attempt_at = NULL, lease_expires_at = NULL, last_error = NULL, processed_at = NULL
      WHERE id = $1 RETURNING ${COLUMNS}`,
    [id],
  );
  return toInboxRecord(result.rows[0]!);
}
