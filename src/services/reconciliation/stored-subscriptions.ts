import type { Queryable } from '../../db/database.ts';
import type { StoredSubscription } from './compare-subscription.ts';

type Row = {
  id: string;
  customer_id: string;
  provider_subscription_id: string;
  plan_id: string;
  provider_status: string;
  trial_end: Date | null;
  current_period_start: Date | null;
  current_period_end: Date | null;
  cancel_at_period_end: boolean;
  canceled_at: Date | null;
  provider_updated_at: Date;
};

const toStored = (row: Row): StoredSubscription => ({
  id: row.id,
  customerId: row.customer_id,
  planId: row.plan_id,
  providerStatus: row.provider_status,
  trialEnd: row.trial_end,
  currentPeriodStart: row.current_period_start,
  currentPeriodEnd: row.current_period_end,
  cancelAtPeriodEnd: row.cancel_at_period_end,
  canceledAt: row.canceled_at,
  providerUpdatedAt: row.provider_updated_at,
});

const COLUMNS = 'id, customer_id, provider_subscription_id, plan_id, provider_status, trial_end, current_period_start, current_period_end, cancel_at_period_end, canceled_at, provider_updated_at';

/** recur's rows of one page of Stripe subscriptions, in one query, by Stripe id. */
export async function loadStoredSubscriptions(db: Queryable, providerSubscriptionIds: readonly string[]): Promise<Map<string, StoredSubscription>> {
  if (providerSubscriptionIds.length === 0) return new Map();
  const result = await db.query<Row>(`SELECT ${COLUMNS} FROM subscriptions WHERE provider = 'stripe' AND provider_subscription_id = ANY($1::text[])`, [providerSubscriptionIds]);
  return new Map(result.rows.map((row) => [row.provider_subscription_id, toStored(row)]));
}

/** The row again, locked for the repair's transaction. */
export async function lockStoredSubscription(tx: Queryable, id: string): Promise<StoredSubscription | null> {
  const result = await tx.query<Row>(`SELECT ${COLUMNS} FROM subscriptions WHERE id = $1 FOR UPDATE`, [id]);
  return result.rows[0] ? toStored(result.rows[0]) : null;
}

/** recur's Stripe subscriptions that existed before `before`, a batch at a time (keyset on the Stripe id). */
export async function listStoredStripeSubscriptionIds(db: Queryable, input: { before: Date; after: string | null; limit: number }): Promise<{ id: string; providerSubscriptionId: string }[]> {
  const result = await db.query<{ id: string; provider_subscription_id: string }>(
    `SELECT id, provider_subscription_id FROM subscriptions
      WHERE provider = 'stripe' AND created_at < $1 AND ($2::text IS NULL OR provider_subscription_id > $2)
      ORDER BY provider_subscription_id LIMIT $3`,
    [input.before, input.after, input.limit],
  );
  return result.rows.map((row) => ({ id: row.id, providerSubscriptionId: row.provider_subscription_id }));
}
