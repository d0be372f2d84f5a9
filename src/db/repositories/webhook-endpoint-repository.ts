import type { Queryable } from '../database.ts';
import { readKeysetPage, type KeysetList, type Page, type PageRequest } from '../keyset-page.ts';

export type WebhookEndpointRecord = {
  id: string;
  url: string;
  /** Event type names, or ['*']. */
  eventTypes: string[];
  description: string | null;
  enabled: boolean;
  secretSealed: string;
  previousSecretSealed: string | null;
  previousSecretExpiresAt: Date | null;
  consecutiveFailures: number;
  failingSince: Date | null;
  disabledReason: string | null;
  createdAt: Date;
  updatedAt: Date;
};

type EndpointRow = {
  id: string;
  url: string;
  event_types: string[];
  description: string | null;
  enabled: boolean;
  secret_sealed: string;
  previous_secret_sealed: string | null;
  previous_secret_expires_at: Date | null;
  consecutive_failures: number;
  failing_since: Date | null;
  disabled_reason: string | null;
  created_at: Date;
  updated_at: Date;
};

export const ENDPOINT_COLUMNS =
  'id, url, event_types, description, enabled, secret_sealed, previous_secret_sealed, previous_secret_expires_at, consecutive_failures, failing_since, disabled_reason, created_at, updated_at';

export const toEndpoint = (row: EndpointRow): WebhookEndpointRecord => ({
  id: row.id,
  url: row.url,
  eventTypes: row.event_types,
  description: row.description,
  enabled: row.enabled,
  secretSealed: row.secret_sealed,
  previousSecretSealed: row.previous_secret_sealed,
  previousSecretExpiresAt: row.previous_secret_expires_at,
  consecutiveFailures: row.consecutive_failures,
  failingSince: row.failing_since,
  disabledReason: row.disabled_reason,
  createdAt: row.created_at,
  updatedAt: row.updated_at,
});

export type NewWebhookEndpoint = { url: string; eventTypes: string[]; description: string | null; enabled: boolean; secretSealed: string; now: Date };

export async function insertWebhookEndpoint(db: Queryable, endpoint: NewWebhookEndpoint): Promise<WebhookEndpointRecord> {
  const result = await db.query<EndpointRow>(
    `INSERT INTO webhook_endpoints (url, event_types, description, enabled, secret_sealed, created_at, updated_at)
     VALUES ($1, $2, $3, $4, $5, $6, $6) RETURNING ${ENDPOINT_COLUMNS}`,
    [endpoint.url, endpoint.eventTypes, endpoint.description, endpoint.enabled, endpoint.secretSealed, endpoint.now],
  );
  return toEndpoint(result.rows[0]!);
}

export async function findWebhookEndpoint(db: Queryable, id: string, options: { forUpdate?: boolean } = {}): Promise<WebhookEndpointRecord | null> {
  const result = await db.query<EndpointRow>(`SELECT ${ENDPOINT_COLUMNS} FROM webhook_endpoints WHERE id = $1${options.forUpdate ? ' FOR UPDATE' : ''}`, [id]);
  return result.rows[0] ? toEndpoint(result.rows[0]) : null;
}

const ENDPOINT_LIST: KeysetList = {
  select: `SELECT ${ENDPOINT_COLUMNS} FROM webhook_endpoints`,
  order: ['created_at', 'id'],
  cursorRow: 'SELECT created_at, id FROM webhook_endpoints WHERE id = $1',
  created: 'created_at',
  what: 'webhook endpoint',
};

/** The API's list, newest first, a page at a time. */
export function listWebhookEndpoints(db: Queryable, page: PageRequest): Promise<Page<WebhookEndpointRecord>> {
  return readKeysetPage(db, ENDPOINT_LIST, [], page, toEndpoint);
}

export type WebhookEndpointChanges = { url?: string; eventTypes?: string[]; description?: string | null; enabled?: boolean };

/**
 * Applies the given fields. Enabling an endpoint clears its failure bookkeeping: the days of
 * failures that disabled it are not held against it again.
 */
export async function updateWebhookEndpoint(db: Queryable, id: string, changes: WebhookEndpointChanges, now: Date): Promise<WebhookEndpointRecord | null> {
  const result = await db.query<EndpointRow>(
    `UPDATE webhook_endpoints
        SET url = COALESCE($2, url),
            event_types = COALESCE($3, event_types),
            description = CASE WHEN $4 THEN $5 ELSE description END,
            consecutive_failures = CASE WHEN $6 AND NOT enabled THEN 0 ELSE consecutive_failures END,
            failing_since = CASE WHEN $6 AND NOT enabled THEN NULL ELSE failing_since END,
            disabled_reason = CASE WHEN $6 IS NULL THEN disabled_reason WHEN $6 THEN NULL ELSE 'disabled through the API' END,
            enabled = COALESCE($6, enabled),
            updated_at = $7
      WHERE id = $1 RETURNING ${ENDPOINT_COLUMNS}`,
    [id, changes.url ?? null, changes.eventTypes ?? null, 'description' in changes, changes.description ?? null, changes.enabled ?? null, now],
  );
  return result.rows[0] ? toEndpoint(result.rows[0]) : null;
}

export async function deleteWebhookEndpoint(db: Queryable, id: string): Promise<boolean> {
  const result = await db.query('DELETE FROM webhook_endpoints WHERE id = $1 RETURNING id', [id]);
  return result.rows.length > 0;
}

/** The new secret becomes the current one; the current one stays valid until `previousExpiresAt`. */
export async function rotateWebhookEndpointSecret(db: Queryable, input: { id: string; secretSealed: string; previousSecretSealed: string | null; previousExpiresAt: Date | null; now: Date }): Promise<WebhookEndpointRecord | null> {
  const result = await db.query<EndpointRow>(
    `UPDATE webhook_endpoints SET previous_secret_sealed = $3, previous_secret_expires_at = $4, secret_sealed = $2, updated_at = $5
      WHERE id = $1 RETURNING ${ENDPOINT_COLUMNS}`,
    [input.id, input.secretSealed, input.previousSecretSealed, input.previousExpiresAt, input.now],
  );
  return result.rows[0] ? toEndpoint(result.rows[0]) : null;
}

/** Every endpoint's sealed secrets (a handful of rows): for sealing them again under a new key. */
export async function listSealedEndpointSecrets(db: Queryable): Promise<{ id: string; secretSealed: string; previousSecretSealed: string | null }[]> {
  const result = await db.query<{ id: string; secret_sealed: string; previous_secret_sealed: string | null }>('SELECT id, secret_sealed, previous_secret_sealed FROM webhook_endpoints ORDER BY id');
  return result.rows.map((row) => ({ id: row.id, secretSealed: row.secret_sealed, previousSecretSealed: row.previous_secret_sealed }));
}

/** Replaces the sealed texts of one endpoint, only while they are still the ones read (a rotation meanwhile wins). */
export async function replaceSealedEndpointSecrets(
  db: Queryable,
  input: { id: string; was: { secretSealed: string; previousSecretSealed: string | null }; secretSealed: string; previousSecretSealed: string | null; now: Date },
): Promise<boolean> {
  const result = await db.query(
    `UPDATE webhook_endpoints SET secret_sealed = $4, previous_secret_sealed = $5, updated_at = $6
      WHERE id = $1 AND secret_sealed = $2 AND previous_secret_sealed IS NOT DISTINCT FROM $3 RETURNING id`,
    [input.id, input.was.secretSealed, input.was.previousSecretSealed, input.secretSealed, input.previousSecretSealed, input.now],
  );
  return result.rows.length > 0;
}
