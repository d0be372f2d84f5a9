import { afterDays } from './calendar.ts';
import { paypalIds } from './ids.ts';
import { money } from './money.ts';
import type { StoredPayment, StoredRefund } from './paypal-state.ts';
import { isoSeconds, type PaypalRuntime } from './runtime.ts';
import { opensDispute } from './test-payers.ts';
import { emitEvent } from './webhook-events.ts';

/** The fee PayPal keeps in the sandbox's books: 3.49 % + 0.39 (whole minor units). */
export const feeOf = (amount: number): number => Math.round(amount * 0.0349) + 39;

const decimal = (minor: number) => money(minor, 'EUR').value;

/** A subscription charge as the v1 `sale` resource of PAYMENT.SALE.* events. */
export function saleObject(rt: PaypalRuntime, sale: StoredPayment): Record<string, unknown> {
  const state = sale.status === 'COMPLETED' ? 'completed' : sale.status === 'DECLINED' ? 'denied' : sale.status === 'REVERSED' ? 'reversed' : sale.status === 'REFUNDED' ? 'refunded' : 'partially_refunded';
  return {
    id: sale.id,
    state,
    amount: { total: decimal(sale.amount), currency: sale.currency, details: { subtotal: decimal(sale.amount) } },
    payment_mode: 'INSTANT_TRANSFER',
    protection_eligibility: 'ELIGIBLE',
    protection_eligibility_type: 'ITEM_NOT_RECEIVED_ELIGIBLE,UNAUTHORIZED_PAYMENT_ELIGIBLE',
    transaction_fee: { value: decimal(feeOf(sale.amount)), currency: sale.currency },
    ...(sale.subscription_id ? { billing_agreement_id: sale.subscription_id } : {}),
    ...(sale.custom_id ? { custom: sale.custom_id } : {}),
    create_time: sale.create_time,
    update_time: sale.update_time,
    links: [
      { href: `${rt.apiBase()}/v1/payments/sale/${sale.id}`, rel: 'self', method: 'GET' },
      { href: `${rt.apiBase()}/v1/payments/sale/${sale.id}/refund`, rel: 'refund', method: 'POST' },
    ],
  };
}

/** A payment as the v2 `capture` resource (orders' captures, and subscription sales read through v2). */
export function captureObject(rt: PaypalRuntime, payment: StoredPayment): Record<string, unknown> {
  const fee = feeOf(payment.amount);
  return {
    id: payment.id,
    status: payment.status,
    ...(payment.status === 'DECLINED' ? { status_details: { reason: 'DECLINED_BY_RISK_FRAUD_FILTERS' } } : {}),
    amount: money(payment.amount, payment.currency),
    final_capture: true,
    seller_protection: { status: 'ELIGIBLE', dispute_categories: ['ITEM_NOT_RECEIVED', 'UNAUTHORIZED_TRANSACTION'] },
    seller_receivable_breakdown: {
      gross_amount: money(payment.amount, payment.currency),
      paypal_fee: money(fee, payment.currency),
      net_amount: money(payment.amount - fee, payment.currency),
      ...(payment.refunded > 0 ? { total_refunded_amount: money(payment.refunded, payment.currency) } : {}),
    },
    ...(payment.custom_id ? { custom_id: payment.custom_id } : {}),
    ...(payment.invoice_id ? { invoice_id: payment.invoice_id } : {}),
    ...(payment.order_id ? { supplementary_data: { related_ids: { order_id: payment.order_id } } } : {}),
    links: [
      { href: `${rt.apiBase()}/v2/payments/captures/${payment.id}`, rel: 'self', method: 'GET' },
      { href: `${rt.apiBase()}/v2/payments/captures/${payment.id}/refund`, rel: 'refund', method: 'POST' },
      ...(payment.order_id ? [{ href: `${rt.apiBase()}/v2/checkout/orders/${payment.order_id}`, rel: 'up', method: 'GET' }] : []),
    ],
    create_time: payment.create_time,
    update_time: payment.update_time,
  };
}

/** The payment's refunds up to and including this one (the spec: "the total amount refunded from the original capture to date"). */
function refundedToDate(rt: PaypalRuntime, refund: StoredRefund): number {
  const refunds = Object.values(rt.data.refunds).filter((other) => other.payment_id === refund.payment_id);
  return refunds.slice(0, refunds.indexOf(refund) + 1).reduce((sum, other) => sum + other.amount, 0);
}

export function refundObject(rt: PaypalRuntime, refund: StoredRefund): Record<string, unknown> {
  // PayPal keeps its fee on a refund: the seller pays back the gross amount.
  const fee = 0;
  return {
    id: refund.id,
    amount: money(refund.amount, refund.currency),
    ...(refund.note_to_payer ? { note_to_payer: refund.note_to_payer } : {}),
    ...(refund.custom_id ? { custom_id: refund.custom_id } : {}),
    ...(refund.invoice_id ? { invoice_id: refund.invoice_id } : {}),
    seller_payable_breakdown: {
      gross_amount: money(refund.amount, refund.currency),
      paypal_fee: money(fee, refund.currency),
      net_amount: money(refund.amount - fee, refund.currency),
      total_refunded_amount: money(refundedToDate(rt, refund), refund.currency),
    },
    status: 'COMPLETED',
    create_time: refund.create_time,
    update_time: refund.create_time,
    links: [
      { href: `${rt.apiBase()}/v2/payments/refunds/${refund.id}`, rel: 'self', method: 'GET' },
      { href: `${rt.apiBase()}/v2/payments/captures/${refund.payment_id}`, rel: 'up', method: 'GET' },
    ],
  };
}

/** Records a payment; the disputing payer disputes it a day later when it is an order's or a subscription's first. */
export function recordPayment(rt: PaypalRuntime, input: Omit<StoredPayment, 'id' | 'refunded' | 'create_time' | 'update_time'>): StoredPayment {
  const now = rt.nowIso();
  const payment: StoredPayment = { ...input, id: paypalIds.capture(), refunded: 0, create_time: now, update_time: now };
  rt.data.payments[payment.id] = payment;
  // An order's capture, or the first sale of a subscription: what the disputing payer disputes.
  const first = !payment.subscription_id || !Object.values(rt.data.payments).some((other) => other.id !== payment.id && other.subscription_id === payment.subscription_id);
  if (payment.status === 'COMPLETED' && opensDispute(payment.payer) && first) {
    rt.data.dispute_openings.push({ at: isoSeconds(afterDays(rt.now(), 1)), payment_id: payment.id });
  }
  return payment;
}

/** Refunds part or all of what is left of a payment, with PayPal's event for its kind. */
export function refundPayment(rt: PaypalRuntime, payment: StoredPayment, amount: number, extra: Pick<StoredRefund, 'note_to_payer' | 'custom_id' | 'invoice_id'>): StoredRefund {
  const now = rt.nowIso();
  const refund: StoredRefund = { id: paypalIds.refund(), payment_id: payment.id, amount, currency: payment.currency, create_time: now, ...stripUndefined(extra) };
  rt.data.refunds[refund.id] = refund;
  payment.refunded += amount;
  payment.status = payment.refunded >= payment.amount ? 'REFUNDED' : 'PARTIALLY_REFUNDED';
  payment.update_time = now;
  if (payment.kind === 'sale') {
    // PayPal's v1 refund resource: the refund's own id, the sale it refunds, the agreement it belongs to.
    const resource = {
      id: refund.id,
      state: 'completed',
      amount: { total: money(amount, payment.currency).value, currency: payment.currency },
      sale_id: payment.id,
      ...(payment.subscription_id ? { billing_agreement_id: payment.subscription_id } : {}),
      create_time: now,
      update_time: now,
      links: [
        { href: `${rt.apiBase()}/v1/payments/refund/${refund.id}`, rel: 'self', method: 'GET' },
        { href: `${rt.apiBase()}/v1/payments/sale/${payment.id}`, rel: 'sale', method: 'GET' },
      ],
    };
    emitEvent(rt, 'PAYMENT.SALE.REFUNDED', 'refund', resource, `A ${money(amount, payment.currency).value} ${payment.currency} sale payment was refunded`);
  } else {
    emitEvent(rt, 'PAYMENT.CAPTURE.REFUNDED', 'refund', refundObject(rt, refund), `A ${money(amount, payment.currency).value} ${payment.currency} capture payment was refunded`);
  }
  return refund;
}

function stripUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, field]) => field !== undefined)) as T;
}
