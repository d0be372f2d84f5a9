import type { Queryable } from '../database.ts';

export type CustomerSearchHit = { externalId: string; email: string; name: string | null; banned: boolean; createdAt: Date };

type HitRow = { external_id: string; email: string; name: string | null; banned: boolean; created_at: Date };

/** `%`, `_` and the escape character itself match only themselves in the pattern (ESCAPE '\'). */
export const escapeLikePattern = (text: string): string => text.replace(/[\\%_]/g, (char) => `\\${char}`);

/**
 * Customers whose e-mail address, shop id or name contains `text` (any case), newest first. The text
 * is a parameter and its wildcards are escaped: `a_b` finds "a_b", not "axb". A scan of the table,
 * fine for a staff member's search over a shop's customers; one more than `limit` rows are read to
 * tell that more matched.
 */
export async function searchCustomers(db: Queryable, text: string, limit: number): Promise<{ hits: CustomerSearchHit[]; hasMore: boolean }> {
  const result = await db.query<HitRow>(
    `SELECT external_id, email, name, banned, created_at FROM customers
      WHERE email ILIKE $1 ESCAPE '\\' OR external_id ILIKE $1 ESCAPE '\\' OR name ILIKE $1 ESCAPE '\\'
      ORDER BY created_at DESC, id DESC LIMIT $2`,
    [`%${escapeLikePattern(text)}%`, limit + 1],
  );
  const hits = result.rows.slice(0, limit).map((row) => ({ externalId: row.external_id, email: row.email, name: row.name, banned: row.banned, createdAt: row.created_at }));
  return { hits, hasMore: result.rows.length > limit };
}
