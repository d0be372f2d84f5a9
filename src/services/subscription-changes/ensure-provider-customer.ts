import type { CustomerRecord } from '../../db/repositories/customer-repository.ts';
import { findProviderCustomerId, linkProviderCustomer } from '../../db/repositories/provider-customer-repository.ts';
import type { ProviderOperations } from '../../providers/payments/provider-operations.ts';
import type { ServiceContext } from '../service-context.ts';

/** The customer's Stripe customer, created once and linked (the create carries a key, so a retry gets the same one back), as checkout does. */
export async function ensureProviderCustomer(ctx: ServiceContext, gateway: ProviderOperations, customer: CustomerRecord): Promise<string> {
  const linked = await findProviderCustomerId(ctx.db, customer.id, 'stripe');
  if (linked) return linked;
  const created = await gateway.createCustomer({ recurCustomerId: customer.id, externalId: customer.externalId, email: customer.email, name: customer.name, locale: customer.locale });
  return (await ctx.db.transaction((tx) => linkProviderCustomer(tx, { customerId: customer.id, provider: 'stripe', providerCustomerId: created.id }, ctx.clock.now())))!;
}
