import type { Queryable } from '../database.ts';
import { ENDPOINT_COLUMNS, toEndpoint, type WebhookEndpointRecord } from './webhook-endpoint-repository.ts';

export const WEBHOOK_DELIVERY_STATUSES = ['pending', 'delivering', 'succeeded', 'failed'] as const;
export type WebhookDeliveryStatus = (typeof WEBHOOK_DELIVERY_STATUSES)[number];

const MATCHES_ENDPOINT = "('*' = ANY(ep.event_types) OR e.type = ANY(ep.event_types))";

/**
 * Gives up to `limit` events not yet fanned out a delivery row for each enabled endpoint that
 * takes their type and existed when they were recorded, and marks them fanned out, in one
 * statement. SKIP LOCKED: passes in several processes take different events.
 */
export async function fanOutOutgoingEvents(db: Queryable, input: { now: Date; giveUpAt: Date; limit: number }): Promise<{ events: number; deliveries: number }> {
  const result = await db.query<{ events: number; deliveries: number }>(
    `WITH events AS (
       SELECT id, type, created_at, sequence FROM outgoing_events WHERE fanned_out_at IS NULL ORDER BY created_at, id LIMIT $3 FOR UPDATE SKIP LOCKED),
     inserted AS (
       INSERT INTO webhook_deliveries (endpoint_id, event_id, origin, next_attempt_at, give_up_at, created_at, updated_at, event_created_at, event_sequence)
       SELECT ep.id, e.id, 'fan-out', $1, $2, $1, $1, e.created_at, e.sequence FROM events e JOIN webhook_endpoints ep ON ep.enabled AND e.created_at >= ep.created_at AND ${MATCHES_ENDPOINT}
       ON CONFLICT DO NOTHING RETURNING 1),
     marked AS (UPDATE outgoing_events SET fanned_out_at = $1 WHERE id IN (SELECT id FROM events) RETURNING 1)
     SELECT (SELECT count(*) FROM marked)::int AS events, (SELECT count(*) FROM inserted)::int AS deliveries`,
    [input.now, input.giveUpAt, input.limit],
  );
  return result.rows[0]!;
}

/** A new delivery of every event of the endpoint's types recorded since `since` (a replay); their ids stay. */
export async function insertReplayDeliveries(db: Queryable, input: { endpointId: string; since: Date; now: Date; giveUpAt: Date }): Promise<number> {
  const result = await db.query(
    `INSERT INTO webhook_deliveries (endpoint_id, event_id, origin, next_attempt_at, give_up_at, created_at, updated_at, event_created_at, event_sequence)
     SELECT ep.id, e.id, 'replay', $3, $4, $3, $3, e.created_at, e.sequence
       FROM outgoing_events e JOIN webhook_endpoints ep ON ep.id = $1 AND ${MATCHES_ENDPOINT}
      WHERE e.created_at >= $2
      ORDER BY e.created_at, e.id
     RETURNING id`,
    [input.endpointId, input.since, input.now, input.giveUpAt],
  );
  return result.rows.length;
}

/** A delivery as the worker holds it: its event, ready to present, and its endpoint. */
export type ClaimedDelivery = {
  id: string;
  attempts: number;
  giveUpAt: Date;
  leaseToken: string;
  endpoint: WebhookEndpointRecord;
  event: { id: string; type: string; sequence: number; customer: string; data: Record<string, unknown>; occurredAt: Date };
};

type ClaimedRow = { id: string; endpoint_id: string; event_id: string; attempts: number; give_up_at: Date; lease_token: string };

// Per enabled endpoint with no row in flight (one request at a time per endpoint), its next row:
// due (on recur's clock: $1), or held by a worker that stopped (its lease lapsed, on the real clock:
// $6; such a row was due when it was claimed). Read in order from webhook_deliveries_next_idx, so a
// claim costs the same with 20 rows pending or 20,000.
const NEXT_PER_ENDPOINT = `
  SELECT next.id, next.next_attempt_at
    FROM webhook_endpoints ep
    CROSS JOIN LATERAL (
      SELECT p.id, p.next_attempt_at FROM webhook_deliveries p
       WHERE p.endpoint_id = ep.id AND p.status IN ('pending', 'delivering') AND p.next_attempt_at <= $1
         AND (p.status = 'pending' OR p.lease_expires_at < $6)
       ORDER BY p.next_attempt_at, p.event_created_at, p.event_sequence
       LIMIT 1) next
   WHERE ep.enabled AND ($5::uuid IS NULL OR ep.id = $5)
     AND NOT EXISTS (SELECT 1 FROM webhook_deliveries busy WHERE busy.endpoint_id = ep.id AND busy.status = 'delivering' AND busy.lease_expires_at >= $6)`;

/**
 * Claims the next due delivery of up to `limit` endpoints, one each (those waiting longest first): the lanes of one pass.
 * The outer status check makes a row taken by a concurrent claim drop out (it is re-read after
 * the other's commit), so no row is claimed twice. `now` decides what is due (recur's clock, the
 * sandbox's in development); `leaseNow` and `leaseExpiresAt` are real time: a worker's lease
 * measures how long it may take, which a sandbox clock moved a day must not cut short.
 */
export async function claimDeliveryPerEndpoint(
  db: Queryable,
  input: { now: Date; leaseNow: Date; leaseExpiresAt: Date; leaseToken: string; limit: number; endpointId?: string },
): Promise<ClaimedDelivery[]> {
  const result = await db.query<ClaimedRow>(
    `UPDATE webhook_deliveries d SET status = 'delivering', attempts = d.attempts + 1, lease_token = $3, lease_expires_at = $2, updated_at = $1
      WHERE d.id IN (SELECT candidate.id FROM (${NEXT_PER_ENDPOINT}) candidate ORDER BY candidate.next_attempt_at LIMIT $4)
        AND (d.status = 'pending' OR (d.status = 'delivering' AND d.lease_expires_at < $6))
      RETURNING d.id, d.endpoint_id, d.event_id, d.attempts, d.give_up_at, d.lease_token`,
    [input.now, input.leaseExpiresAt, input.leaseToken, input.limit, input.endpointId ?? null, input.leaseNow],
  );
  if (result.rows.length === 0) return [];
  return loadClaimed(db, result.rows);
}

async function loadClaimed(db: Queryable, rows: ClaimedRow[]): Promise<ClaimedDelivery[]> {
  const endpoints = await db.query<Parameters<typeof toEndpoint>[0]>(`SELECT ${ENDPOINT_COLUMNS} FROM webhook_endpoints WHERE id = ANY($1::uuid[])`, [rows.map((row) => row.endpoint_id)]);
  const events = await db.query<{ id: string; type: string; sequence: string | number; external_id: string; data: Record<string, unknown>; occurred_at: Date }>(
    'SELECT e.id, e.type, e.sequence, c.external_id, e.data, e.occurred_at FROM outgoing_events e JOIN customers c ON c.id = e.customer_id WHERE e.id = ANY($1::text[])',
    [rows.map((row) => row.event_id)],
  );
  const endpointById = new Map(endpoints.rows.map((row) => [row.id, toEndpoint(row)]));
  const eventById = new Map(events.rows.map((row) => [row.id, row]));
  return rows.flatMap((row) => {
    const endpoint = endpointById.get(row.endpoint_id);
    const event = eventById.get(row.event_id);
    if (!endpoint || !event) return [];
    return [
      {
        id: row.id,
        attempts: row.attempts,
        giveUpAt: row.give_up_at,
        leaseToken: row.lease_token,
        endpoint,
        event: { id: event.id, type: event.type, sequence: Number(event.sequence), customer: event.external_id, data: event.data, occurredAt: event.occurred_at },
      },
    ];
  });
}

export type DeliveryAttempt = { statusCode: number | null; latencyMs: number; responseExcerpt: string | null; error: string | null; at: Date };

export async function insertDeliveryAttempt(tx: Queryable, deliveryId: string, attempt: DeliveryAttempt): Promise<void> {
  await tx.query('INSERT INTO webhook_delivery_attempts (delivery_id, status_code, latency_ms, response_excerpt, error, attempted_at) VALUES ($1, $2, $3, $4, $5, $6)', [
    deliveryId,
    attempt.statusCode,
    attempt.latencyMs,
    attempt.responseExcerpt,
    attempt.error,
    attempt.at,
  ]);
}

/** Ends the claim: succeeded, failed, or pending again at `nextAttemptAt`. False when the claim was lost (the lease lapsed and another worker took it). */
export async function settleDelivery(
  tx: Queryable,
  input: { id: string; leaseToken: string; status: 'succeeded' | 'failed' | 'pending'; nextAttemptAt: Date | null; statusCode: number | null; error: string | null; now: Date },
): Promise<boolean> {
  const result = await tx.query(
    `UPDATE webhook_deliveries SET status = $3, next_attempt_at = $4, last_status_code = $5, last_error = $6, lease_token = NULL, lease_expires_at = NULL, updated_at = $7
      WHERE id = $1 AND lease_token = $2 AND status = 'delivering' RETURNING id`,
    [input.id, input.leaseToken, input.status, input.nextAttemptAt, input.statusCode, input.error, input.now],
  );
  return result.rows.length > 0;
}

/** The endpoint's run of failures: reset by a success, counted (from its first) by a failure. */
export async function recordEndpointOutcome(tx: Queryable, endpointId: string, succeeded: boolean, now: Date): Promise<{ consecutiveFailures: number; failingSince: Date | null } | null> {
  const result = await tx.query<{ consecutive_failures: number; failing_since: Date | null }>(
    `UPDATE webhook_endpoints
        SET consecutive_failures = CASE WHEN $2 THEN 0 ELSE consecutive_failures + 1 END,
            failing_since = CASE WHEN $2 THEN NULL ELSE COALESCE(failing_since, $3) END
      WHERE id = $1 RETURNING consecutive_failures, failing_since`,
    [endpointId, succeeded, now],
  );
  const row = result.rows[0];
  return row ? { consecutiveFailures: row.consecutive_failures, failingSince: row.failing_since } : null;
}

export async function disableFailingEndpoint(tx: Queryable, endpointId: string, reason: string, now: Date): Promise<boolean> {
  const result = await tx.query('UPDATE webhook_endpoints SET enabled = false, disabled_reason = $2, updated_at = $3 WHERE id = $1 AND enabled RETURNING id', [endpointId, reason, now]);
  return result.rows.length > 0;
}

/** The earliest time a pending delivery of an enabled endpoint falls due, for the worker's timer. */
export async function nextWebhookDeliveryDueAt(db: Queryable): Promise<Date | null> {
  const result = await db.query<{ due: Date | null }>(
    "SELECT min(d.next_attempt_at) AS due FROM webhook_deliveries d JOIN webhook_endpoints ep ON ep.id = d.endpoint_id AND ep.enabled WHERE d.status = 'pending'",
  );
  return result.rows[0]?.due ?? null;
}
