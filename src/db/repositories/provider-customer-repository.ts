import type { ProviderId } from '../../domain/provider.ts';
import type { Queryable } from '../database.ts';

export async function findProviderCustomerId(db: Queryable, customerId: string, provider: ProviderId): Promise<string | null> {
  const result = await db.query<{ provider_customer_id: string }>('SELECT provider_customer_id FROM provider_customers WHERE customer_id = $1 AND provider = $2', [customerId, provider]);
  return result.rows[0]?.provider_customer_id ?? null;
}

/**
 * The recur customer linked to a provider customer. A Stripe customer has one; a PayPal payer may
 * pay for several recur customers (each keeps its own link, migration 0013), and then the first
 * linked answers: a caller that knows better (a subscription's custom_id) asks that first.
 */
export async function findCustomerIdByProviderCustomer(db: Queryable, provider: ProviderId, providerCustomerId: string): Promise<string | null> {
  const result = await db.query<{ customer_id: string }>(
    'SELECT customer_id FROM provider_customers WHERE provider = $1 AND provider_customer_id = $2 ORDER BY created_at, id LIMIT 1',
    [provider, providerCustomerId],
  );
  return result.rows[0]?.customer_id ?? null;
}

/**
 * Links a recur customer to a provider customer. A recur customer has one link per provider (the
 * earlier one wins); a Stripe customer belongs to one recur customer, while a PayPal payer may be
 * linked to several (migration 0013). A link that would break either rule is a no-op; the answer
 * is the provider customer id linked to the recur customer afterwards.
 */
export async function linkProviderCustomer(tx: Queryable, link: { customerId: string; provider: ProviderId; providerCustomerId: string }, now: Date): Promise<string | null> {
  await tx.query(
    'INSERT INTO provider_customers (customer_id, provider, provider_customer_id, created_at) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING',
    [link.customerId, link.provider, link.providerCustomerId, now],
  );
  return findProviderCustomerId(tx, link.customerId, link.provider);
}
