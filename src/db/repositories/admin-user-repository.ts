import type { Queryable } from '../database.ts';

export type AdminUserRecord = { id: string; username: string; createdAt: Date };
/** With the stored password hash: only the sign-in check reads it. */
export type AdminUserCredentials = AdminUserRecord & { passwordHash: string };

type AdminUserRow = { id: string; username: string; password_hash: string; created_at: Date };

const toRecord = (row: AdminUserRow): AdminUserRecord => ({ id: row.id, username: row.username, createdAt: row.created_at });

/** Throws a unique violation (admin_users_username_key) when the username is taken. */
export async function insertAdminUser(tx: Queryable, user: { username: string; passwordHash: string }, now: Date): Promise<AdminUserRecord> {
  const result = await tx.query<AdminUserRow>('INSERT INTO admin_users (username, password_hash, created_at) VALUES ($1, $2, $3) RETURNING id, username, password_hash, created_at', [
    user.username,
    user.passwordHash,
    now,
  ]);
  return toRecord(result.rows[0]!);
}

export async function findAdminUserCredentials(db: Queryable, username: string): Promise<AdminUserCredentials | null> {
  const result = await db.query<AdminUserRow>('SELECT id, username, password_hash, created_at FROM admin_users WHERE username = $1', [username]);
  const row = result.rows[0];
  return row ? { ...toRecord(row), passwordHash: row.password_hash } : null;
}
