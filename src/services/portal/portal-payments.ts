import { listRefundsOfPayments, type RefundRecord } from '../../db/repositories/refund-repository.ts';
import type { Page } from '../../db/keyset-page.ts';
import { findPaymentOfCustomer, type ListedPayment, type PaymentRecord } from '../../db/repositories/payment-repository.ts';
import { findSubscription, type SubscriptionRecord } from '../../db/repositories/subscription-repository.ts';
import { notFound } from '../../shared/errors.ts';
import { listPayments } from '../payments/list-payments.ts';
import type { ServiceContext } from '../service-context.ts';
import type { PortalViewer } from './read-portal-session.ts';

/** How many payments one page of the portal's history shows. */
export const PORTAL_PAYMENTS_PER_PAGE = 20;

/**
 * One page of the customer's own payments, newest first, through the same list as the API. The
 * cursor (the last payment of the previous page) must be the customer's own: another customer's
 * payment id reads as one that does not exist, as everywhere in the portal.
 */
export async function listPortalPayments(ctx: ServiceContext, viewer: PortalViewer, startingAfter: string | undefined): Promise<Page<ListedPayment>> {
  if (startingAfter !== undefined) await findPortalPayment(ctx, viewer, startingAfter);
  return listPayments(ctx, { customerExternalId: viewer.customer.externalId, limit: PORTAL_PAYMENTS_PER_PAGE, startingAfter });
}

/** A payment of the session's customer, with the subscription it paid for; any other id is not found. */
export async function findPortalPayment(ctx: ServiceContext, viewer: PortalViewer, paymentId: string): Promise<{ payment: PaymentRecord; subscription: SubscriptionRecord | null; refunds: RefundRecord[] }> {
  const payment = await findPaymentOfCustomer(ctx.db, paymentId, viewer.customer.id);
  if (!payment) throw notFound('payment', paymentId);
  const subscription = payment.subscriptionId ? await findSubscription(ctx.db, payment.subscriptionId) : null;
  const refunds = (await listRefundsOfPayments(ctx.db, [payment.id])).get(payment.id) ?? [];
  return { payment, subscription, refunds };
}
