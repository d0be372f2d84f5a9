import type { Queryable } from '../database.ts';

/** Whose key it is: the API key that sent it, and the value it sent. */
export type IdempotencyKeyId = { apiKeyId: string; key: string };

/** An answer as kept for a replay: what the client needs of it, never anything of the request. */
export type StoredAnswer = { status: number; headers: Record<string, string>; body: string | null };

export type IdempotencyKeyRecord =
  | { status: 'in_progress'; fingerprint: string; lockedUntil: Date }
  | { status: 'completed'; fingerprint: string; answer: StoredAnswer };

type IdempotencyKeyRow = {
  request_fingerprint: string;
  status: 'in_progress' | 'completed';
  locked_until: Date | null;
  response_status: number | null;
  response_headers: Record<string, string> | null;
  response_body: string | null;
};

/**
 * Takes the key for one request, atomically: a new key; one whose 24 hours are over (the old
 * answer is forgotten, the request is new); or one whose holder's lease lapsed while it was still
 * at work, for the same request only. Returns the claim's creation time (kept across a lapsed
 * lease, new after an expiry), or null when the key is someone else's now.
 */
export async function claimIdempotencyKey(
  db: Queryable,
  id: IdempotencyKeyId,
  claim: { fingerprint: string; claimToken: string; lockedUntil: Date; expiresAt: Date },
  now: Date,
): Promise<{ createdAt: Date } | null> {
  const result = await db.query<{ created_at: Date }>(
    `INSERT INTO idempotency_keys AS k (api_key_id, idempotency_key, request_fingerprint, claim_token, status, locked_until, created_at, expires_at)
     VALUES ($1, $2, $3, $4, 'in_progress', $5, $6, $7)
     ON CONFLICT (api_key_id, idempotency_key) DO UPDATE
        SET request_fingerprint = EXCLUDED.request_fingerprint,
            claim_token = EXCLUDED.claim_token,
            status = 'in_progress',
            locked_until = EXCLUDED.locked_until,
            response_status = NULL, response_headers = NULL, response_body = NULL,
            created_at = CASE WHEN k.expires_at <= $6 THEN EXCLUDED.created_at ELSE k.created_at END,
            expires_at = CASE WHEN k.expires_at <= $6 THEN EXCLUDED.expires_at ELSE k.expires_at END
      WHERE k.expires_at <= $6
         OR (k.status = 'in_progress' AND k.locked_until <= $6 AND k.request_fingerprint = EXCLUDED.request_fingerprint)
     RETURNING created_at`,
    [id.apiKeyId, id.key, claim.fingerprint, claim.claimToken, claim.lockedUntil, now, claim.expiresAt],
  );
  return result.rows[0] ? { createdAt: result.rows[0].created_at } : null;
}

export async function findIdempotencyKey(db: Queryable, id: IdempotencyKeyId): Promise<IdempotencyKeyRecord | null> {
  const result = await db.query<IdempotencyKeyRow>(
    'SELECT request_fingerprint, status, locked_until, response_status, response_headers, response_body FROM idempotency_keys WHERE api_key_id = $1 AND idempotency_key = $2',
    [id.apiKeyId, id.key],
  );
  const row = result.rows[0];
  if (!row) return null;
  if (row.status === 'in_progress') return { status: 'in_progress', fingerprint: row.request_fingerprint, lockedUntil: row.locked_until! };
  return { status: 'completed', fingerprint: row.request_fingerprint, answer: { status: row.response_status!, headers: row.response_headers ?? {}, body: row.response_body } };
}

/** Records the answer, only while this claim still holds the key (a lapsed one may have been taken over). */
export async function completeIdempotencyKey(db: Queryable, id: IdempotencyKeyId, claimToken: string, answer: StoredAnswer): Promise<boolean> {
  const result = await db.query(
    `UPDATE idempotency_keys SET status = 'completed', locked_until = NULL, response_status = $4, response_headers = $5, response_body = $6
      WHERE api_key_id = $1 AND idempotency_key = $2 AND claim_token = $3 AND status = 'in_progress'`,
    [id.apiKeyId, id.key, claimToken, answer.status, JSON.stringify(answer.headers), answer.body],
  );
  return result.rowCount === 1;
}

/** Lets the key go (its request failed with a 5xx): the next request with it does the work. */
export async function releaseIdempotencyKey(db: Queryable, id: IdempotencyKeyId, claimToken: string): Promise<void> {
  await db.query("DELETE FROM idempotency_keys WHERE api_key_id = $1 AND idempotency_key = $2 AND claim_token = $3 AND status = 'in_progress'", [id.apiKeyId, id.key, claimToken]);
}

/** Keys whose time is over, completed or abandoned; returns how many went. */
export async function deleteExpiredIdempotencyKeys(db: Queryable, now: Date): Promise<number> {
  const result = await db.query('DELETE FROM idempotency_keys WHERE expires_at <= $1', [now]);
  return result.rowCount;
}
