import type { Page, PageRequest } from '../../db/keyset-page.ts';
import { findCustomerByExternalId } from '../../db/repositories/customer-repository.ts';
import { listPayments as listPaymentRows, type ListedPayment, type PaymentStatus } from '../../db/repositories/payment-repository.ts';
import { notFound } from '../../shared/errors.ts';
import type { ServiceContext } from '../service-context.ts';

export type PaymentQuery = PageRequest & { customerExternalId?: string | undefined; subscriptionId?: string | undefined; status?: PaymentStatus | undefined };

/** Payments, newest first; a customer named by the shop's id must exist (404), as for subscriptions. */
export async function listPayments(ctx: Pick<ServiceContext, 'db'>, query: PaymentQuery): Promise<Page<ListedPayment>> {
  let customerId: string | undefined;
  if (query.customerExternalId !== undefined) {
    const customer = await findCustomerByExternalId(ctx.db, query.customerExternalId);
    if (!customer) throw notFound('customer', query.customerExternalId);
    customerId = customer.id;
  }
  return listPaymentRows(ctx.db, { ...query, customerId });
}
