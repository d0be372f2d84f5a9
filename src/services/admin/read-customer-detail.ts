import { listAuditTrailOfCustomer, type AuditTrailItem } from '../../db/repositories/audit-log-repository.ts';
import { findCustomerByExternalId, type CustomerRecord } from '../../db/repositories/customer-repository.ts';
import { listNotifications, type NotificationRecord } from '../../db/repositories/notification-query-repository.ts';
import { listPayments, type ListedPayment } from '../../db/repositories/payment-repository.ts';
import { listRefundsOfPayments, type RefundRecord } from '../../db/repositories/refund-repository.ts';
import { listSubscriptionsOfCustomer, type SubscriptionRecord } from '../../db/repositories/subscription-repository.ts';
import type { ServiceContext } from '../service-context.ts';

/** The newest of each kind on the page; older ones are in the API's lists. */
const SHOWN = 50;

export type CustomerDetail = {
  customer: CustomerRecord;
  subscriptions: SubscriptionRecord[];
  payments: ListedPayment[];
  /** The refunds of the payments shown (recur's and those made at the provider), oldest first. */
  refunds: RefundRecord[];
  notices: NotificationRecord[];
  audit: AuditTrailItem[];
};

/** Everything recur holds about one customer, for the dashboard; null when the shop's id names none. */
export async function readCustomerDetail(ctx: Pick<ServiceContext, 'db'>, externalId: string): Promise<CustomerDetail | null> {
  const customer = await findCustomerByExternalId(ctx.db, externalId);
  if (!customer) return null;
  const subscriptions = await listSubscriptionsOfCustomer(ctx.db, customer.id);
  const payments = (await listPayments(ctx.db, { customerId: customer.id, limit: SHOWN })).items;
  const byPayment = await listRefundsOfPayments(ctx.db, payments.map((p) => p.id));
  const refunds = payments.flatMap((p) => byPayment.get(p.id) ?? []).sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime());
  const notices = (await listNotifications(ctx.db, { customerExternalId: customer.externalId, limit: SHOWN })).items;
  const audit = await listAuditTrailOfCustomer(ctx.db, { customerId: customer.id, subscriptionIds: subscriptions.map((s) => s.id), paymentIds: payments.map((p) => p.id) }, SHOWN);
  return { customer, subscriptions, payments, refunds, notices, audit };
}
