import { afterDays } from './calendar.ts';
import { paypalIds } from './ids.ts';
import { money } from './money.ts';
import { captureObject, saleObject } from './payment-objects.ts';
import type { StoredDispute } from './paypal-state.ts';
import { isoSeconds, type PaypalRuntime } from './runtime.ts';
import { merchantId, payerName } from './test-payers.ts';
import { emitEvent } from './webhook-events.ts';

/** The seller has ten days to answer a dispute before PayPal reviews it. */
export const SELLER_RESPONSE_DAYS = 10;

/** A dispute as GET /v1/customer/disputes/{id} answers it. */
export function disputeObject(rt: PaypalRuntime, dispute: StoredDispute): Record<string, unknown> {
  const payment = rt.data.payments[dispute.payment_id];
  const self = `${rt.apiBase()}/v1/customer/disputes/${dispute.id}`;
  return {
    dispute_id: dispute.id,
    create_time: dispute.create_time,
    update_time: dispute.update_time,
    disputed_transactions: payment
      ? [
          {
            seller_transaction_id: payment.id,
            create_time: payment.create_time,
            transaction_status: 'COMPLETED',
            gross_amount: money(payment.amount, payment.currency),
            ...(payment.custom_id ? { custom: payment.custom_id } : {}),
            buyer: { name: `${payerName(payment.payer).given_name} ${payerName(payment.payer).surname}` },
            seller: { merchant_id: merchantId, name: 'recur sandbox merchant' },
          },
        ]
      : [],
    reason: dispute.reason,
    status: dispute.status,
    dispute_amount: money(dispute.amount, dispute.currency),
    ...(dispute.outcome ? { dispute_outcome: { outcome_code: dispute.outcome, ...(dispute.outcome === 'RESOLVED_BUYER_FAVOUR' ? { amount_refunded: money(dispute.amount, dispute.currency) } : {}) } } : {}),
    dispute_life_cycle_stage: 'CHARGEBACK',
    dispute_channel: 'INTERNAL',
    ...(dispute.status === 'WAITING_FOR_SELLER_RESPONSE' ? { seller_response_due_date: dispute.seller_response_due_date } : {}),
    links: [
      { href: self, rel: 'self', method: 'GET' },
      ...(dispute.status !== 'RESOLVED' ? [{ href: `${self}/accept-claim`, rel: 'accept_claim', method: 'POST' }] : []),
    ],
  };
}

function announce(rt: PaypalRuntime, dispute: StoredDispute, type: 'CUSTOMER.DISPUTE.CREATED' | 'CUSTOMER.DISPUTE.UPDATED' | 'CUSTOMER.DISPUTE.RESOLVED'): void {
  const what = type.split('.')[2]!.toLowerCase();
  emitEvent(rt, type, 'dispute', disputeObject(rt, dispute), `A dispute was ${what} with case # ${dispute.id}`);
}

/** The payer disputes a payment (the disputing test payer, a day after their first payment). */
export function openDispute(rt: PaypalRuntime, paymentId: string): StoredDispute | null {
  const payment = rt.data.payments[paymentId];
  if (!payment || (payment.status !== 'COMPLETED' && payment.status !== 'PARTIALLY_REFUNDED')) return null;
  const now = rt.nowIso();
  const dispute: StoredDispute = {
    id: paypalIds.dispute(),
    payment_id: payment.id,
    amount: payment.amount - payment.refunded,
    currency: payment.currency,
    reason: 'MERCHANDISE_OR_SERVICE_NOT_RECEIVED',
    status: 'WAITING_FOR_SELLER_RESPONSE',
    outcome: null,
    seller_response_due_date: isoSeconds(afterDays(rt.now(), SELLER_RESPONSE_DAYS)),
    create_time: now,
    update_time: now,
  };
  rt.data.disputes[dispute.id] = dispute;
  announce(rt, dispute, 'CUSTOMER.DISPUTE.CREATED');
  return dispute;
}

/** Ends a dispute; in the buyer's favour the payment is reversed (PAYMENT.CAPTURE.REVERSED or PAYMENT.SALE.REVERSED). */
export function resolveDispute(rt: PaypalRuntime, dispute: StoredDispute, outcome: NonNullable<StoredDispute['outcome']>): void {
  dispute.status = 'RESOLVED';
  dispute.outcome = outcome;
  dispute.update_time = rt.nowIso();
  const payment = rt.data.payments[dispute.payment_id];
  if (outcome === 'RESOLVED_BUYER_FAVOUR' && payment) {
    payment.refunded += dispute.amount;
    payment.status = 'REVERSED';
    payment.update_time = dispute.update_time;
    if (payment.kind === 'sale') emitEvent(rt, 'PAYMENT.SALE.REVERSED', 'sale', saleObject(rt, payment), `A ${money(payment.amount, payment.currency).value} ${payment.currency} sale payment was reversed`);
    else emitEvent(rt, 'PAYMENT.CAPTURE.REVERSED', 'capture', captureObject(rt, payment), `A ${money(payment.amount, payment.currency).value} ${payment.currency} capture payment was reversed`);
  }
  announce(rt, dispute, 'CUSTOMER.DISPUTE.RESOLVED');
}

/** The dispute moves to PayPal's review when the seller's time to answer runs out. */
function review(rt: PaypalRuntime, dispute: StoredDispute): void {
  dispute.status = 'UNDER_REVIEW';
  dispute.update_time = rt.nowIso();
  announce(rt, dispute, 'CUSTOMER.DISPUTE.UPDATED');
}

export function disputeDueAt(rt: PaypalRuntime): number | null {
  const moments = [
    ...rt.data.dispute_openings.map((opening) => Date.parse(opening.at)),
    ...Object.values(rt.data.disputes)
      .filter((dispute) => dispute.status === 'WAITING_FOR_SELLER_RESPONSE')
      .map((dispute) => Date.parse(dispute.seller_response_due_date)),
  ];
  return moments.length === 0 ? null : Math.min(...moments);
}

export function runDisputesDue(rt: PaypalRuntime, now: Date): void {
  const due = rt.data.dispute_openings.filter((opening) => Date.parse(opening.at) <= now.getTime());
  rt.data.dispute_openings = rt.data.dispute_openings.filter((opening) => Date.parse(opening.at) > now.getTime());
  for (const opening of due) openDispute(rt, opening.payment_id);
  for (const dispute of Object.values(rt.data.disputes)) {
    if (dispute.status === 'WAITING_FOR_SELLER_RESPONSE' && Date.parse(dispute.seller_response_due_date) <= now.getTime()) review(rt, dispute);
  }
}
