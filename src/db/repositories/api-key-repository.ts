import { isApiKeyScope, type ApiKeyScope } from '../../domain/api-key-scope.ts';
import type { Queryable } from '../database.ts';
import { readKeysetPage, type KeysetList, type Page, type PageRequest } from '../keyset-page.ts';

export type ApiKeyRecord = { id: string; name: string; keyPrefix: string; scope: ApiKeyScope; createdAt: Date; lastUsedAt: Date | null; revokedAt: Date | null };

type ApiKeyRow = { id: string; name: string; key_prefix: string; scope: string; created_at: Date; last_used_at: Date | null; revoked_at: Date | null };

const toRecord = (row: ApiKeyRow): ApiKeyRecord => ({
  id: row.id,
  name: row.name,
  keyPrefix: row.key_prefix,
  // The column's CHECK admits only known scopes; a value this code does not know gets the least.
  scope: isApiKeyScope(row.scope) ? row.scope : 'read',
  createdAt: row.created_at,
  lastUsedAt: row.last_used_at,
  revokedAt: row.revoked_at,
});

export async function insertApiKey(db: Queryable, key: { name: string; keyHash: string; keyPrefix: string; scope: ApiKeyScope }, now: Date): Promise<ApiKeyRecord> {
  const result = await db.query<ApiKeyRow>(
    'INSERT INTO api_keys (name, key_hash, key_prefix, scope, created_at) VALUES ($1, $2, $3, $4, $5) RETURNING id, name, key_prefix, scope, created_at, last_used_at, revoked_at',
    [key.name, key.keyHash, key.keyPrefix, key.scope, now],
  );
  return toRecord(result.rows[0]!);
}

export async function findActiveApiKeyByHash(db: Queryable, keyHash: string): Promise<ApiKeyRecord | null> {
  const result = await db.query<ApiKeyRow>(
    'SELECT id, name, key_prefix, scope, created_at, last_used_at, revoked_at FROM api_keys WHERE key_hash = $1 AND revoked_at IS NULL',
    [keyHash],
    { name: 'api-key-by-hash' },
  );
  return result.rows[0] ? toRecord(result.rows[0]) : null;
}

/** At most one write a minute per key, however many processes use it: enough to see which keys are in use. */
export async function touchApiKey(db: Queryable, id: string, now: Date): Promise<void> {
  await db.query("UPDATE api_keys SET last_used_at = $2 WHERE id = $1 AND (last_used_at IS NULL OR last_used_at < $2::timestamptz - interval '1 minute')", [id, now], {
    name: 'api-key-touch',
  });
}

/** Newest first. */
export async function listApiKeys(db: Queryable): Promise<ApiKeyRecord[]> {
  const result = await db.query<ApiKeyRow>('SELECT id, name, key_prefix, scope, created_at, last_used_at, revoked_at FROM api_keys ORDER BY created_at DESC, id DESC');
  return result.rows.map(toRecord);
}

/** The key as revoked, or null when no active key has this id. */
export async function markApiKeyRevoked(db: Queryable, id: string, now: Date): Promise<ApiKeyRecord | null> {
  const result = await db.query<ApiKeyRow>(
    'UPDATE api_keys SET revoked_at = $2 WHERE id = $1 AND revoked_at IS NULL RETURNING id, name, key_prefix, scope, created_at, last_used_at, revoked_at',
    [id, now],
  );
  return result.rows[0] ? toRecord(result.rows[0]) : null;
}

export type ApiKeyFilter = PageRequest & { status?: 'active' | 'revoked' | undefined };

const API_KEY_LIST: KeysetList = {
  select: 'SELECT id, name, key_prefix, scope, created_at, last_used_at, revoked_at FROM api_keys',
  order: ['created_at', 'id'],
  cursorRow: 'SELECT created_at, id FROM api_keys WHERE id = $1',
  created: 'created_at',
  what: 'API key',
};

const STATUS_CONDITIONS = { active: 'revoked_at IS NULL', revoked: 'revoked_at IS NOT NULL' } as const;

/** The API's list, newest first, a page at a time. */
export function listApiKeysPage(db: Queryable, filter: ApiKeyFilter): Promise<Page<ApiKeyRecord>> {
  const status = filter.status ? ([STATUS_CONDITIONS[filter.status], filter.status] as const) : (['', undefined] as const);
  return readKeysetPage(db, API_KEY_LIST, [status], filter, toRecord);
}
