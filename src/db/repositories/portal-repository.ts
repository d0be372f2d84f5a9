import type { Queryable } from '../database.ts';
import type { Locale } from './customer-repository.ts';

/** A portal link or session as recur keeps it: only the hash of its secret, never the secret. */
export type PortalGrant = { customerId: string; returnUrl: string; locale: Locale | null; expiresAt: Date };

export type PortalLinkRecord = PortalGrant & { spentAt: Date | null };

type GrantRow = { customer_id: string; return_url: string; locale: Locale | null; expires_at: Date };

const toGrant = (row: GrantRow): PortalGrant => ({ customerId: row.customer_id, returnUrl: row.return_url, locale: row.locale, expiresAt: row.expires_at });

export async function insertPortalLink(db: Queryable, link: PortalGrant & { tokenHash: string }, now: Date): Promise<void> {
  await db.query('INSERT INTO portal_links (token_hash, customer_id, return_url, locale, created_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6)', [
    link.tokenHash,
    link.customerId,
    link.returnUrl,
    link.locale,
    now,
    link.expiresAt,
  ]);
}

/**
 * Spends a link that is unspent and unexpired, in one statement: of two visits at once, exactly
 * one gets the grant. null: unknown, spent or expired (`findPortalLink` tells which).
 */
export async function spendPortalLink(db: Queryable, tokenHash: string, now: Date): Promise<PortalGrant | null> {
  const result = await db.query<GrantRow>(
    'UPDATE portal_links SET spent_at = $2 WHERE token_hash = $1 AND spent_at IS NULL AND expires_at > $2 RETURNING customer_id, return_url, locale, expires_at',
    [tokenHash, now],
  );
  return result.rows[0] ? toGrant(result.rows[0]) : null;
}

export async function findPortalLink(db: Queryable, tokenHash: string): Promise<PortalLinkRecord | null> {
  const result = await db.query<GrantRow & { spent_at: Date | null }>('SELECT customer_id, return_url, locale, expires_at, spent_at FROM portal_links WHERE token_hash = $1', [tokenHash]);
  const row = result.rows[0];
  return row ? { ...toGrant(row), spentAt: row.spent_at } : null;
}

export async function insertPortalSession(db: Queryable, session: PortalGrant & { sessionHash: string }, now: Date): Promise<void> {
  await db.query('INSERT INTO portal_sessions (session_hash, customer_id, return_url, locale, created_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6)', [
    session.sessionHash,
    session.customerId,
    session.returnUrl,
    session.locale,
    now,
    session.expiresAt,
  ]);
}

/** The session if it has not expired at `now`; null for an unknown or expired one. */
export async function findLivePortalSession(db: Queryable, sessionHash: string, now: Date): Promise<PortalGrant | null> {
  const result = await db.query<GrantRow>('SELECT customer_id, return_url, locale, expires_at FROM portal_sessions WHERE session_hash = $1 AND expires_at > $2', [sessionHash, now], {
    name: 'portal-session-by-hash',
  });
  return result.rows[0] ? toGrant(result.rows[0]) : null;
}

/**
 * Forgets sessions that have ended and links a week after they expired: until then a second visit
 * of a link still gets the page that says it was used or expired, not "this link does not work".
 */
export async function deleteEndedPortalGrants(db: Queryable, now: Date, keepLinksMs: number): Promise<{ sessions: number; links: number }> {
  const sessions = await db.query('DELETE FROM portal_sessions WHERE expires_at <= $1', [now]);
  const links = await db.query('DELETE FROM portal_links WHERE expires_at <= $1', [new Date(now.getTime() - keepLinksMs)]);
  return { sessions: sessions.rowCount, links: links.rowCount };
}
