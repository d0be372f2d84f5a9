import type { ProviderId } from '../../domain/provider.ts';
import type { Queryable } from '../database.ts';

export async function findProviderCustomerId(db: Queryable, customerId: string, provider: ProviderId): Promise<string | null> {
  const result = await db.query<{ provider_customer_id: string }>('SELECT provider_customer_id FROM provider_customers WHERE customer_id = $1 AND provider = $2', [customerId, provider]);
  return result.rows[0]?.provider_customer_id ?? null;
}

export async function findCustomerIdByProviderCustomer(db: Queryable, provider: ProviderId, providerCustomerId: string): Promise<string | null> {
  const result = await db.query<{ customer_id: string }>('SELECT customer_id FROM provider_customers WHERE provider = $1 AND provider_customer_id = $2', [provider, providerCustomerId]);
  return result.rows[0]?.customer_id ?? null;
}

/**
 * Links a recur customer to a provider customer. Both unique indexes make a second link a no-op;
 * the answer is the provider customer id that is linked afterwards (the earlier one wins).
 */
export async function linkProviderCustomer(tx: Queryable, link: { customerId: string; provider: ProviderId; providerCustomerId: string }, now: Date): Promise<string | null> {
  await tx.query(
    'INSERT INTO provider_customers (customer_id, provider, provider_customer_id, created_at) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING',
    [link.customerId, link.provider, link.providerCustomerId, now],
  );
  return findProviderCustomerId(tx, link.customerId, link.provider);
}
