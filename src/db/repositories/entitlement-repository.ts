import type { EntitlementSubscription } from '../../domain/entitlement.ts';
import type { Queryable } from '../database.ts';

export type EntitlementFacts = { banned: boolean; subscriptions: EntitlementSubscription[] };

type Row = {
  banned: boolean;
  id: string | null;
  status: EntitlementSubscription['status'] | null;
  trial_end: Date | null;
  current_period_end: Date | null;
  cancel_at_period_end: boolean | null;
  canceled_at: Date | null;
  past_due_since: Date | null;
};

// Newest first, as the subscription list: of two equally good subscriptions the newer is named.
const SQL = `SELECT c.banned, s.id, s.status, s.trial_end, s.current_period_end, s.cancel_at_period_end, s.canceled_at, s.past_due_since
  FROM customers c LEFT JOIN subscriptions s ON s.customer_id = c.id
  WHERE c.external_id = $1
  ORDER BY s.created_at DESC, s.id DESC`;

/**
 * What decides a customer's entitlement, in one statement (the shop asks on every page view):
 * whether they are banned and the facts of each of their subscriptions. Null: no such customer.
 */
export async function readEntitlementFacts(db: Queryable, externalId: string): Promise<EntitlementFacts | null> {
  const result = await db.query<Row>(SQL, [externalId], { name: 'entitlement-facts' });
  const first = result.rows[0];
  if (!first) return null;
  const subscriptions = result.rows.flatMap((row): EntitlementSubscription[] =>
    row.id === null || row.status === null
      ? []
      : [{ id: row.id, status: row.status, trialEnd: row.trial_end, currentPeriodEnd: row.current_period_end, cancelAtPeriodEnd: row.cancel_at_period_end === true, canceledAt: row.canceled_at, pastDueSince: row.past_due_since }],
  );
  return { banned: first.banned, subscriptions };
}
