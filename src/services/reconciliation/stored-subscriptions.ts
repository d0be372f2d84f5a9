import type { Queryable } from '../../db/database.ts';
import { SELECT_SUBSCRIPTIONS, toSubscriptionRecord, type SubscriptionRecord, type SubscriptionRow } from '../../db/repositories/subscription-repository.ts';
import type { ProviderId } from '../../domain/provider.ts';
import type { StoredSubscription } from './compare-subscription.ts';

/** recur's rows of one page of a provider's subscriptions, in one query, by the provider's id. */
export async function loadStoredSubscriptions(db: Queryable, provider: ProviderId, providerSubscriptionIds: readonly string[]): Promise<Map<string, StoredSubscription>> {
  if (providerSubscriptionIds.length === 0) return new Map();
  const result = await db.query<SubscriptionRow>(`${SELECT_SUBSCRIPTIONS} WHERE s.provider = $2 AND s.provider_subscription_id = ANY($1::text[])`, [providerSubscriptionIds, provider]);
  return new Map(result.rows.map((row) => [row.provider_subscription_id, toSubscriptionRecord(row)]));
}

/** The row again, locked for the repair's transaction, its customer's row first (see lockCustomerForWrite). */
export async function lockStoredSubscription(tx: Queryable, id: string): Promise<SubscriptionRecord | null> {
  await tx.query('SELECT 1 FROM customers WHERE id = (SELECT customer_id FROM subscriptions WHERE id = $1) FOR UPDATE', [id]);
  const result = await tx.query<SubscriptionRow>(`${SELECT_SUBSCRIPTIONS} WHERE s.id = $1 FOR UPDATE OF s`, [id]);
  return result.rows[0] ? toSubscriptionRecord(result.rows[0]) : null;
}

/**
 * recur's subscriptions at one provider that existed before `before`, a batch at a time (keyset on the
 * Stripe id), with the provider status recur holds (a row recur already ended as missing says so).
 */
export async function listStoredProviderSubscriptionIds(
  db: Queryable,
  input: { provider: ProviderId; before: Date; after: string | null; limit: number },
): Promise<{ id: string; providerSubscriptionId: string; providerStatus: string }[]> {
  const result = await db.query<{ id: string; provider_subscription_id: string; provider_status: string }>(
    `SELECT id, provider_subscription_id, provider_status FROM subscriptions
      WHERE provider = $4 AND created_at < $1 AND ($2::text IS NULL OR provider_subscription_id > $2)
      ORDER BY provider_subscription_id LIMIT $3`,
    [input.before, input.after, input.limit, input.provider],
  );
  return result.rows.map((row) => ({ id: row.id, providerSubscriptionId: row.provider_subscription_id, providerStatus: row.provider_status }));
}
