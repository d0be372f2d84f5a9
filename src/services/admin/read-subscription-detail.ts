import { listAuditEntries, type AuditRow } from '../../db/repositories/audit-log-repository.ts';
import { findCustomerById, type CustomerRecord } from '../../db/repositories/customer-repository.ts';
import type { SubscriptionRecord } from '../../db/repositories/subscription-repository.ts';
import type { ServiceContext } from '../service-context.ts';
import { getSubscription } from '../subscriptions/get-subscription.ts';

export type SubscriptionDetail = { subscription: SubscriptionRecord; customer: CustomerRecord; audit: AuditRow[] };

/** One subscription for the dashboard: the row, whose it is, and what the audit log holds about it (newest first). */
export async function readSubscriptionDetail(ctx: ServiceContext, subscriptionId: string): Promise<SubscriptionDetail> {
  const subscription = await getSubscription(ctx, subscriptionId);
  const customer = (await findCustomerById(ctx.db, subscription.customerId))!;
  const audit = (await listAuditEntries(ctx.db, 'subscription', subscription.id)).reverse();
  return { subscription, customer, audit };
}
