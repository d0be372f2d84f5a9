import { listSubscriptionsForAdmin, type AdminSubscriptionFilter } from '../../db/repositories/admin-subscription-list-repository.ts';
import type { Page } from '../../db/keyset-page.ts';
import type { SubscriptionRecord } from '../../db/repositories/subscription-repository.ts';
import type { ServiceContext } from '../service-context.ts';

/** The dashboard's subscriptions list: newest first, filtered by status, plan, provider and customer. */
export function listAdminSubscriptions(ctx: Pick<ServiceContext, 'db'>, filter: AdminSubscriptionFilter): Promise<Page<SubscriptionRecord>> {
  return listSubscriptionsForAdmin(ctx.db, filter);
}
