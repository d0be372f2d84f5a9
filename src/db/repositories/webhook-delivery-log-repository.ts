import type { Queryable } from '../database.ts';
import { readKeysetPage, type KeysetList, type Page, type PageRequest } from '../keyset-page.ts';
import type { DeliveryAttempt, WebhookDeliveryStatus } from './webhook-delivery-repository.ts';

export type WebhookDeliveryRecord = {
  id: string;
  endpointId: string;
  eventId: string;
  eventType: string;
  origin: 'fan-out' | 'replay';
  status: WebhookDeliveryStatus;
  attempts: number;
  nextAttemptAt: Date | null;
  lastStatusCode: number | null;
  lastError: string | null;
  createdAt: Date;
  updatedAt: Date;
  attemptLog: DeliveryAttempt[];
};

type DeliveryRow = {
  id: string;
  endpoint_id: string;
  event_id: string;
  type: string;
  origin: 'fan-out' | 'replay';
  status: WebhookDeliveryStatus;
  attempts: number;
  next_attempt_at: Date | null;
  last_status_code: number | null;
  last_error: string | null;
  created_at: Date;
  updated_at: Date;
};

const SELECT_DELIVERIES = `SELECT d.id, d.endpoint_id, d.event_id, e.type, d.origin, d.status, d.attempts, d.next_attempt_at, d.last_status_code, d.last_error, d.created_at, d.updated_at
  FROM webhook_deliveries d JOIN outgoing_events e ON e.id = d.event_id`;

const DELIVERY_LIST: KeysetList = {
  select: SELECT_DELIVERIES,
  order: ['d.created_at', 'd.id'],
  cursorRow: 'SELECT created_at, id FROM webhook_deliveries WHERE id = $1',
  created: 'd.created_at',
  what: 'webhook delivery',
};

export type WebhookDeliveryFilter = PageRequest & { endpointId: string };

/** An endpoint's deliveries, newest first, a page at a time, each with its attempts (oldest first). */
export async function listWebhookDeliveries(db: Queryable, filter: WebhookDeliveryFilter): Promise<Page<WebhookDeliveryRecord>> {
  const page = await readKeysetPage(db, DELIVERY_LIST, [['d.endpoint_id = ?', filter.endpointId]], filter, (row: DeliveryRow) => row);
  const attempts = await attemptsOf(db, page.items.map((row) => row.id));
  return { items: page.items.map((row) => toDelivery(row, attempts.get(row.id) ?? [])), hasMore: page.hasMore };
}

export async function findWebhookDelivery(db: Queryable, id: string): Promise<WebhookDeliveryRecord | null> {
  const result = await db.query<DeliveryRow>(`${SELECT_DELIVERIES} WHERE d.id = $1`, [id]);
  const row = result.rows[0];
  if (!row) return null;
  return toDelivery(row, (await attemptsOf(db, [id])).get(id) ?? []);
}

/**
 * A settled delivery due again now, for one attempt (`give_up_at` now: a failure settles it
 * failed again, with no new three days of retries). Null when it is pending or in flight.
 */
export async function requeueWebhookDelivery(db: Queryable, id: string, now: Date): Promise<boolean> {
  const result = await db.query(
    `UPDATE webhook_deliveries SET status = 'pending', next_attempt_at = $2, give_up_at = $2, updated_at = $2
      WHERE id = $1 AND status IN ('succeeded', 'failed') RETURNING id`,
    [id, now],
  );
  return result.rows.length > 0;
}

async function attemptsOf(db: Queryable, ids: string[]): Promise<Map<string, DeliveryAttempt[]>> {
  const byDelivery = new Map<string, DeliveryAttempt[]>();
  if (ids.length === 0) return byDelivery;
  const result = await db.query<{ delivery_id: string; status_code: number | null; latency_ms: number; response_excerpt: string | null; error: string | null; attempted_at: Date }>(
    'SELECT delivery_id, status_code, latency_ms, response_excerpt, error, attempted_at FROM webhook_delivery_attempts WHERE delivery_id = ANY($1::uuid[]) ORDER BY id',
    [ids],
  );
  for (const row of result.rows) {
    const list = byDelivery.get(row.delivery_id) ?? [];
    list.push({ statusCode: row.status_code, latencyMs: row.latency_ms, responseExcerpt: row.response_excerpt, error: row.error, at: row.attempted_at });
    byDelivery.set(row.delivery_id, list);
  }
  return byDelivery;
}

const toDelivery = (row: DeliveryRow, attemptLog: DeliveryAttempt[]): WebhookDeliveryRecord => ({
  id: row.id,
  endpointId: row.endpoint_id,
  eventId: row.event_id,
  eventType: row.type,
  origin: row.origin,
  status: row.status,
  attempts: row.attempts,
  nextAttemptAt: row.next_attempt_at,
  lastStatusCode: row.last_status_code,
  lastError: row.last_error,
  createdAt: row.created_at,
  updatedAt: row.updated_at,
  attemptLog,
});
