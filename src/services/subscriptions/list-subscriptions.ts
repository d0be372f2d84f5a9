import { findCustomerByExternalId } from '../../db/repositories/customer-repository.ts';
import type { Page, PageRequest } from '../../db/keyset-page.ts';
import { listSubscriptions as listSubscriptionRows, type SubscriptionRecord } from '../../db/repositories/subscription-repository.ts';
import type { SubscriptionStatus } from '../../domain/subscription-status.ts';
import { notFound } from '../../shared/errors.ts';
import type { ServiceContext } from '../service-context.ts';

export type SubscriptionQuery = PageRequest & { customerExternalId?: string | undefined; status?: SubscriptionStatus | undefined };

export async function listSubscriptions(ctx: ServiceContext, query: SubscriptionQuery): Promise<Page<SubscriptionRecord>> {
  let customerId: string | undefined;
  if (query.customerExternalId !== undefined) {
    const customer = await findCustomerByExternalId(ctx.db, query.customerExternalId);
    if (!customer) throw notFound('customer', query.customerExternalId);
    customerId = customer.id;
  }
  return listSubscriptionRows(ctx.db, { ...query, customerId });
}
