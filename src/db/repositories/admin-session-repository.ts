import type { Queryable } from '../database.ts';

/** Who a session acts for: a staff account, or the admin API key used to sign in. */
export type AdminSessionOwner = { kind: 'user'; id: string; username: string } | { kind: 'api_key'; id: string; name: string };

export type AdminSessionRecord = {
  owner: AdminSessionOwner;
  csrfToken: string;
  createdAt: Date;
  lastSeenAt: Date;
  expiresAt: Date;
};

export type NewAdminSession = { idHash: string; owner: { kind: 'user' | 'api_key'; id: string }; csrfToken: string; now: Date; expiresAt: Date };

type SessionRow = {
  admin_user_id: string | null;
  username: string | null;
  api_key_id: string | null;
  api_key_name: string | null;
  csrf_token: string;
  created_at: Date;
  last_seen_at: Date;
  expires_at: Date;
};

export async function insertAdminSession(tx: Queryable, session: NewAdminSession): Promise<void> {
  await tx.query(
    'INSERT INTO admin_sessions (id_hash, admin_user_id, api_key_id, csrf_token, created_at, last_seen_at, expires_at) VALUES ($1, $2, $3, $4, $5, $5, $6)',
    [session.idHash, session.owner.kind === 'user' ? session.owner.id : null, session.owner.kind === 'api_key' ? session.owner.id : null, session.csrfToken, session.now, session.expiresAt],
  );
}

/**
 * The session of this id hash, with its owner; null when there is none, or when it was opened with
 * an API key that has since been revoked or no longer has the admin scope.
 */
export async function findAdminSession(db: Queryable, idHash: string): Promise<AdminSessionRecord | null> {
  const result = await db.query<SessionRow>(
    `SELECT s.admin_user_id, u.username, s.api_key_id, k.name AS api_key_name, s.csrf_token, s.created_at, s.last_seen_at, s.expires_at
       FROM admin_sessions s
       LEFT JOIN admin_users u ON u.id = s.admin_user_id
       LEFT JOIN api_keys k ON k.id = s.api_key_id AND k.revoked_at IS NULL AND k.scope = 'admin'
      WHERE s.id_hash = $1`,
    [idHash],
    { name: 'admin-session-by-hash' },
  );
  const row = result.rows[0];
  if (!row) return null;
  const owner: AdminSessionOwner | null =
    row.admin_user_id && row.username
      ? { kind: 'user', id: row.admin_user_id, username: row.username }
      : row.api_key_id && row.api_key_name !== null
        ? { kind: 'api_key', id: row.api_key_id, name: row.api_key_name }
        : null;
  if (!owner) return null;
  return { owner, csrfToken: row.csrf_token, createdAt: row.created_at, lastSeenAt: row.last_seen_at, expiresAt: row.expires_at };
}

export async function touchAdminSession(db: Queryable, idHash: string, now: Date): Promise<void> {
  await db.query('UPDATE admin_sessions SET last_seen_at = $2 WHERE id_hash = $1 AND last_seen_at < $2', [idHash, now], { name: 'admin-session-touch' });
}

export async function deleteAdminSession(db: Queryable, idHash: string): Promise<void> {
  await db.query('DELETE FROM admin_sessions WHERE id_hash = $1', [idHash]);
}

/** Sessions past their lifetime or idle since before `idleSince`: nobody can use them any more. */
export async function deleteLapsedAdminSessions(db: Queryable, now: Date, idleSince: Date): Promise<void> {
  await db.query('DELETE FROM admin_sessions WHERE expires_at <= $1 OR last_seen_at < $2', [now, idleSince]);
}
