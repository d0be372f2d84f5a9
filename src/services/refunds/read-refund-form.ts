import { findListedPayment, type ListedPayment } from '../../db/repositories/payment-repository.ts';
import { findRefund, sumPendingRefunds, type RefundRecord } from '../../db/repositories/refund-repository.ts';
import type { ServiceContext } from '../service-context.ts';
import { refundableAmount } from './refundable-amount.ts';

/** A payment with what is left of it to refund now; null when recur holds no such payment. */
export async function readRefundablePayment(ctx: Pick<ServiceContext, 'db'>, paymentId: string): Promise<{ payment: ListedPayment; leftMinor: number } | null> {
  const payment = await findListedPayment(ctx.db, paymentId);
  if (!payment) return null;
  return { payment, leftMinor: refundableAmount(payment, await sumPendingRefunds(ctx.db, payment.id)) };
}

/** One refund with its payment, for the page that says how it went. */
export async function readRefund(ctx: Pick<ServiceContext, 'db'>, refundId: string): Promise<{ refund: RefundRecord; payment: ListedPayment } | null> {
  const refund = await findRefund(ctx.db, refundId);
  const payment = refund ? await findListedPayment(ctx.db, refund.paymentId) : null;
  return refund && payment ? { refund, payment } : null;
}
