import { findCustomersByExternalIds, type CustomerRecord } from '../../db/repositories/customer-repository.ts';
import { findSubscriptionsByIds, type SubscriptionRecord } from '../../db/repositories/subscription-repository.ts';
import type { ServiceContext } from '../service-context.ts';

/** The customers a page names, by the shop's id: one query for the page, whatever its length. */
export async function customersByExternalId(ctx: Pick<ServiceContext, 'db'>, externalIds: readonly string[]): Promise<Map<string, CustomerRecord>> {
  const customers = await findCustomersByExternalIds(ctx.db, externalIds);
  return new Map(customers.map((customer) => [customer.externalId, customer]));
}

/** The subscriptions a page names, by recur's id: one query for the page. */
export async function subscriptionsById(ctx: Pick<ServiceContext, 'db'>, ids: readonly (string | null)[]): Promise<Map<string, SubscriptionRecord>> {
  const subscriptions = await findSubscriptionsByIds(ctx.db, ids.filter((id): id is string => id !== null));
  return new Map(subscriptions.map((subscription) => [subscription.id, subscription]));
}
