import type { Queryable } from '../../db/database.ts';
import { findCustomerIdByProviderCustomer } from '../../db/repositories/provider-customer-repository.ts';
import type { LinkedCustomerLookup } from '../../providers/payments/provider-event-dialect.ts';

/** The recur customer linked to a provider customer, asked of the database each time. */
export function linkedCustomers(db: Queryable): LinkedCustomerLookup {
  return (provider, providerCustomerId) => findCustomerIdByProviderCustomer(db, provider, providerCustomerId);
}

/**
 * The same for one inbox batch: a link found is remembered for the rest of the batch (a link,
 * once made, names the same recur customer for good), so a burst about one customer asks once.
 * "No link yet" is asked again each time: an earlier event of the batch may have made it.
 */
export function linkedCustomersWithinBatch(db: Queryable): LinkedCustomerLookup {
  const found = new Map<string, string>();
  return async (provider, providerCustomerId) => {
    const key = `${provider}:${providerCustomerId}`;
    const known = found.get(key);
    if (known) return known;
    const linked = await findCustomerIdByProviderCustomer(db, provider, providerCustomerId);
    if (linked) found.set(key, linked);
    return linked;
  };
}
