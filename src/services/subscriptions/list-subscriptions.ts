import { findCustomerByExternalId } from '../../db/repositories/customer-repository.ts';
import { listSubscriptions as listSubscriptionRows, type SubscriptionRecord } from '../../db/repositories/subscription-repository.ts';
import type { SubscriptionStatus } from '../../domain/subscription-status.ts';
import { notFound } from '../../shared/errors.ts';
import type { ServiceContext } from '../service-context.ts';

export type SubscriptionQuery = { customerExternalId?: string; status?: SubscriptionStatus; startingAfter?: string; limit: number };

export async function listSubscriptions(ctx: ServiceContext, query: SubscriptionQuery): Promise<{ items: SubscriptionRecord[]; hasMore: boolean }> {
  let customerId: string | undefined;
  if (query.customerExternalId !== undefined) {
    const customer = await findCustomerByExternalId(ctx.db, query.customerExternalId);
    if (!customer) throw notFound('customer', query.customerExternalId);
    customerId = customer.id;
  }
  return listSubscriptionRows(ctx.db, { customerId, status: query.status, startingAfter: query.startingAfter, limit: query.limit });
}
