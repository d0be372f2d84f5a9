import type { CapturedPayment, Order, OrdersCapture, Refund, SubscriptionTransactionDetails } from '@paypal/paypal-server-sdk';
import type { ProviderRefund } from '../risk-operations.ts';
import { toMoney } from './paypal-money.ts';
import type { PaymentStatus, PaypalProviderOrder, PaypalProviderPayment } from './paypal-provider-types.ts';

const METHOD = 'PayPal';

const dateOf = (text: string | undefined | null): Date | null => {
  if (!text) return null;
  const time = Date.parse(text);
  return Number.isNaN(time) ? null : new Date(time);
};

/** A capture's or sale's status (PayPal uses one vocabulary for both) in recur's terms. */
export function toPaymentStatus(status: string | undefined): PaymentStatus {
  switch (status) {
    case 'COMPLETED':
      return 'succeeded';
    case 'REFUNDED':
      return 'refunded';
    case 'PARTIALLY_REFUNDED':
      return 'partially_refunded';
    case 'DECLINED':
    case 'FAILED':
      return 'failed';
    // Taken back from the seller (a dispute or claim decided for the buyer): recur's charge-back,
    // as Stripe's disputed charge is recorded.
    case 'REVERSED':
      return 'disputed';
    default:
      return 'pending';
  }
}

function refundedMinor(status: PaymentStatus, amountMinor: number, refunds: readonly Refund[]): number {
  const completed = refunds.filter((refund) => String(refund.status) === 'COMPLETED' && refund.amount).reduce((sum, refund) => sum + toMoney(refund.amount!).amountMinor, 0);
  // A fully refunded capture read without its refunds still tells how much went back.
  return status === 'refunded' ? Math.max(completed, amountMinor) : completed;
}

/**
 * A capture (Payments v2, or one inside an order) as recur's payment. `refunds`: the refunds PayPal
 * lists for it (an order's `payments.refunds`), for the refunded amount of a partial refund.
 * Paid and failed times are the capture's own (`create_time`, `update_time`), never an event's.
 */
export function toPaypalProviderPaymentFromCapture(capture: CapturedPayment | OrdersCapture, context: { refunds?: readonly Refund[]; providerCustomerId?: string | null; providerSubscriptionId?: string | null } = {}): PaypalProviderPayment {
  if (!capture.id || !capture.amount) throw new TypeError('a PayPal capture without an id or amount');
  const money = toMoney(capture.amount);
  const status = toPaymentStatus(capture.status === undefined ? undefined : String(capture.status));
  const created = dateOf(capture.createTime);
  const failed = status === 'failed';
  const orderId = 'supplementaryData' in capture ? capture.supplementaryData?.relatedIds?.orderId : undefined;
  return {
    id: capture.id,
    providerCustomerId: context.providerCustomerId ?? null,
    providerSubscriptionId: context.providerSubscriptionId ?? null,
    amountMinor: money.amountMinor,
    currency: money.currency,
    amountRefundedMinor: refundedMinor(status, money.amountMinor, context.refunds ?? []),
    status,
    methodSummary: METHOD,
    methodType: 'paypal',
    at: created ?? dateOf(capture.updateTime) ?? new Date(0),
    paidAt: !failed && status !== 'pending' ? created : null,
    failedAt: failed ? (dateOf(capture.updateTime) ?? created) : null,
    // The order a capture pays: the one-time checkout it belongs to.
    ...(orderId ? { checkoutSessionId: orderId } : {}),
  };
}

/**
 * One payment of a subscription from PayPal's transactions list (a sale: id, status, gross amount,
 * time), as recur's payment. A refunded sale's refunded amount is its whole amount.
 */
export function toPaypalProviderPaymentFromTransaction(transaction: SubscriptionTransactionDetails, providerSubscriptionId: string, providerCustomerId: string | null = null): PaypalProviderPayment {
  const money = toMoney(transaction.amountWithBreakdown.grossAmount);
  const status = toPaymentStatus(transaction.status === undefined ? undefined : String(transaction.status));
  const time = dateOf(transaction.time) ?? new Date(0);
  return {
    id: transaction.id,
    providerCustomerId,
    providerSubscriptionId,
    amountMinor: money.amountMinor,
    currency: money.currency,
    amountRefundedMinor: status === 'refunded' ? money.amountMinor : 0,
    status,
    methodSummary: METHOD,
    methodType: 'paypal',
    at: time,
    paidAt: status === 'succeeded' || status === 'refunded' || status === 'partially_refunded' || status === 'disputed' ? time : null,
    failedAt: status === 'failed' ? time : null,
  };
}

/** The capture or sale a refund refunds: its `up` link (Payments v2 names a sale's refund's sale so too). */
function refundedPaymentOf(refund: Refund): string | null {
  for (const link of refund.links ?? []) {
    if (link.rel !== 'up') continue;
    const match = /\/(?:captures|sale)\/([^/?#]+)$/.exec(link.href);
    if (match?.[1]) return decodeURIComponent(match[1]);
  }
  return null;
}

/**
 * A refund (Payments v2: of a capture or of a subscription's sale) as recur's. `refundedToDateMinor`
 * is PayPal's `seller_payable_breakdown.total_refunded_amount`: the payment's refunds up to and
 * including this one, PayPal's own sum.
 */
export function toPaypalProviderRefund(refund: Refund): ProviderRefund {
  if (!refund.id || !refund.amount) throw new TypeError('a PayPal refund without an id or amount');
  const money = toMoney(refund.amount);
  const toDate = refund.sellerPayableBreakdown?.totalRefundedAmount;
  const status = String(refund.status ?? '');
  return {
    id: refund.id,
    paymentId: refundedPaymentOf(refund),
    amountMinor: money.amountMinor,
    currency: money.currency,
    status,
    completed: status === 'COMPLETED',
    refundedToDateMinor: toDate ? toMoney(toDate).amountMinor : null,
    created: dateOf(refund.createTime) ?? dateOf(refund.updateTime) ?? new Date(0),
    failureReason: status === 'FAILED' || status === 'CANCELLED' ? (refund.statusDetails?.reason ? String(refund.statusDetails.reason) : status) : null,
    reason: refund.noteToPayer ?? null,
    // recur sends its refund row's id as the refund's custom_id.
    recurRefundId: refund.customId ?? null,
  };
}

/** An order (Orders v2) in recur's terms: its status, the purchase unit's `custom_id`, the payer, and the capture once captured. */
export function toPaypalProviderOrder(order: Order): PaypalProviderOrder {
  if (!order.id) throw new TypeError('a PayPal order without an id');
  const unit = order.purchaseUnits?.[0];
  const capture = unit?.payments?.captures?.[0];
  const payerId = order.payer?.payerId ?? null;
  return {
    id: order.id,
    status: String(order.status ?? ''),
    customId: unit?.customId ?? null,
    payerId,
    payerEmail: order.payer?.emailAddress ?? null,
    created: dateOf(order.createTime),
    capture: capture ? toPaypalProviderPaymentFromCapture(capture, { refunds: unit?.payments?.refunds ?? [], providerCustomerId: payerId }) : null,
  };
}
