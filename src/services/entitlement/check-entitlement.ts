import { findCustomerByExternalId } from '../../db/repositories/customer-repository.ts';
import { listSubscriptionsOfCustomer } from '../../db/repositories/subscription-repository.ts';
import { decideEntitlement, type Entitlement } from '../../domain/entitlement.ts';
import { notFound } from '../../shared/errors.ts';
import type { ServiceContext } from '../service-context.ts';

export type EntitlementAnswer = { customerExternalId: string; checkedAt: Date } & (Entitlement | { entitled: false; reason: 'banned' });

/** The question the shop asks on every page view: may this customer use the product now? */
export async function checkEntitlement(ctx: ServiceContext, externalId: string): Promise<EntitlementAnswer> {
  const now = ctx.clock.now();
  const customer = await findCustomerByExternalId(ctx.db, externalId);
  if (!customer) throw notFound('customer', externalId);
  // A banned customer (fraud, abuse) loses access at once, whatever their subscriptions say.
  if (customer.banned) return { customerExternalId: externalId, checkedAt: now, entitled: false, reason: 'banned' };
  const subscriptions = await listSubscriptionsOfCustomer(ctx.db, customer.id);
  const decision = decideEntitlement(subscriptions, now, { pastDueGraceDays: ctx.config.PAST_DUE_GRACE_DAYS });
  return { customerExternalId: externalId, checkedAt: now, ...decision };
}
