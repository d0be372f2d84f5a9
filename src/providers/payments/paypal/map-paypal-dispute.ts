import { toMoneyFromWire } from './paypal-money.ts';
import type { PaypalProviderDispute } from './paypal-provider-types.ts';
import type { PaypalDispute } from './paypal-rest-types.ts';

const dateOf = (text: string | undefined): Date | null => {
  if (!text) return null;
  const time = Date.parse(text);
  return Number.isNaN(time) ? null : new Date(time);
};

/** A dispute as PayPal's Disputes API answers it, in recur's shape; the outcome only once RESOLVED. */
export function toPaypalProviderDispute(dispute: PaypalDispute): PaypalProviderDispute {
  const transaction = dispute.disputed_transactions?.[0];
  const amount = dispute.dispute_amount ?? transaction?.gross_amount;
  if (!amount) throw new TypeError(`PayPal dispute ${dispute.dispute_id} without an amount`);
  const money = toMoneyFromWire(amount);
  const resolved = dispute.status === 'RESOLVED';
  const refunded = resolved && dispute.dispute_outcome?.amount_refunded ? toMoneyFromWire(dispute.dispute_outcome.amount_refunded).amountMinor : 0;
  const disputedId = transaction?.seller_transaction_id ?? null;
  return {
    id: dispute.dispute_id,
    chargeId: disputedId,
    paymentIntentId: disputedId,
    amountMinor: money.amountMinor,
    currency: money.currency,
    reason: dispute.reason ?? null,
    status: dispute.status ?? 'OTHER',
    evidenceDueBy: dateOf(dispute.seller_response_due_date),
    created: dateOf(dispute.create_time) ?? new Date(0),
    outcome: resolved ? (dispute.dispute_outcome?.outcome_code ?? null) : null,
    amountRefundedMinor: refunded,
    customId: transaction?.custom ?? null,
  };
}
