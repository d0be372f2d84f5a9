import type { ProviderId } from '../../domain/provider.ts';
import type { Queryable } from '../database.ts';

/** The version recur holds of a provider subscription (null: no row yet), locked until the transaction ends. */
export async function lockSubscriptionVersion(tx: Queryable, provider: ProviderId, providerSubscriptionId: string): Promise<Date | null> {
  const result = await tx.query<{ provider_updated_at: Date }>('SELECT provider_updated_at FROM subscriptions WHERE provider = $1 AND provider_subscription_id = $2 FOR UPDATE', [
    provider,
    providerSubscriptionId,
  ]);
  return result.rows[0]?.provider_updated_at ?? null;
}
