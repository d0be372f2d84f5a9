import type { EntitlementSubscription } from '../../domain/entitlement.ts';
import type { PrepaidCoverage } from '../../domain/prepaid-period.ts';
import type { Queryable } from '../database.ts';

export type EntitlementFacts = { customerExternalId: string; banned: boolean; subscriptions: EntitlementSubscription[]; prepaid: PrepaidCoverage[] };

type Row = {
  external_id: string;
  banned: boolean;
  id: string | null;
  status: EntitlementSubscription['status'] | null;
  trial_end: Date | null;
  current_period_end: Date | null;
  cancel_at_period_end: boolean | null;
  canceled_at: Date | null;
  past_due_since: Date | null;
  payment_processing: boolean | null;
  prepaid: { id: string; starts_at: string; ends_at: string }[] | null;
};

// Newest first, as the subscription list: of two equally good subscriptions the newer is named.
// Whether a debit of a subscription is still processing comes from its payments (the index on
// payments.subscription_id; a subscription has one payment a period).
// Prepaid periods still running or to come, whose payment was not refunded in full, ride along
// as one JSON array (repeated on each row; a customer has a handful at most).
const selectFacts = (customerKey: 'c.external_id' | 'c.id') => `SELECT c.external_id, c.banned, s.id, s.status, s.trial_end, s.current_period_end, s.cancel_at_period_end, s.canceled_at, s.past_due_since,
    EXISTS (SELECT 1 FROM payments p WHERE p.subscription_id = s.id AND p.status = 'processing') AS payment_processing,
    (SELECT json_agg(json_build_object('id', pp.id, 'starts_at', pp.starts_at, 'ends_at', pp.ends_at) ORDER BY pp.starts_at)
       FROM prepaid_periods pp JOIN payments p ON p.id = pp.payment_id
      WHERE pp.customer_id = c.id AND pp.ends_at > $2 AND p.status <> 'refunded') AS prepaid
  FROM customers c LEFT JOIN subscriptions s ON s.customer_id = c.id
  WHERE ${customerKey} = $1
  ORDER BY s.created_at DESC, s.id DESC`;
const BY_EXTERNAL_ID = selectFacts('c.external_id');
const BY_CUSTOMER_ID = selectFacts('c.id');

/**
 * What decides a customer's entitlement, in one statement (the shop asks on every page view):
 * whether they are banned and the facts of each of their subscriptions. Null: no such customer.
 */
export async function readEntitlementFacts(db: Queryable, externalId: string, now: Date): Promise<EntitlementFacts | null> {
  return toFacts(await db.query<Row>(BY_EXTERNAL_ID, [externalId, now], { name: 'entitlement-facts' }));
}

/** The same facts by recur's customer id, for deciding in the transaction of a change. */
export async function readEntitlementFactsOfCustomer(db: Queryable, customerId: string, now: Date): Promise<EntitlementFacts | null> {
  return toFacts(await db.query<Row>(BY_CUSTOMER_ID, [customerId, now], { name: 'entitlement-facts-by-id' }));
}

function toFacts(result: { rows: Row[] }): EntitlementFacts | null {
  const first = result.rows[0];
  if (!first) return null;
  const subscriptions = result.rows.flatMap((row): EntitlementSubscription[] =>
    row.id === null || row.status === null
      ? []
      : [{ id: row.id, status: row.status, trialEnd: row.trial_end, currentPeriodEnd: row.current_period_end, cancelAtPeriodEnd: row.cancel_at_period_end === true, canceledAt: row.canceled_at, pastDueSince: row.past_due_since, paymentProcessing: row.payment_processing === true }],
  );
  const prepaid = (first.prepaid ?? []).map((period) => ({ id: period.id, startsAt: new Date(period.starts_at), endsAt: new Date(period.ends_at) }));
  return { customerExternalId: first.external_id, banned: first.banned, subscriptions, prepaid };
}
