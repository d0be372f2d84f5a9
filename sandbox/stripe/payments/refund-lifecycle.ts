import type Stripe from 'stripe';
import { previousAttributes } from '../events/previous-attributes.ts';
import type { StripeRuntime } from '../runtime.ts';
import { newId } from '../state/ids.ts';
import { testCardOf } from './payment-methods.ts';

/**
 * Stripe: a SEPA Direct Debit refund is `pending` until the customer's bank has it, which takes up
 * to five business days. The sandbox settles it five days of sandbox time after it was made.
 */
export const SEPA_REFUND_SETTLES_AFTER_SECONDS = 5 * 86_400;

/**
 * Stripe's `refundFail` card (4000 0000 0000 5126): the refund is `succeeded`, then "some time
 * later" `failed`. The sandbox fails it one hour of sandbox time later, so both states can be seen.
 */
export const CARD_REFUND_FAILS_AFTER_SECONDS = 3_600;

/** What Stripe says of a refund the card network could not deliver. */
const CARD_REFUND_FAILURE_REASON = 'expired_or_canceled_card';

export type RefundStart = { status: 'pending' | 'succeeded'; later: { kind: 'settle_refund' | 'fail_refund'; afterSeconds: number } | null };

/** How a refund of this charge begins and what happens to it later, as its payment method says. */
export function refundStartFor(rt: StripeRuntime, charge: Stripe.Charge): RefundStart {
  const paymentMethod = charge.payment_method ? rt.state.paymentMethods.get(String(charge.payment_method)) : undefined;
  if (paymentMethod?.type === 'sepa_debit') return { status: 'pending', later: { kind: 'settle_refund', afterSeconds: SEPA_REFUND_SETTLES_AFTER_SECONDS } };
  if (paymentMethod && testCardOf(paymentMethod)?.refundFails) return { status: 'succeeded', later: { kind: 'fail_refund', afterSeconds: CARD_REFUND_FAILS_AFTER_SECONDS } };
  return { status: 'succeeded', later: null };
}

/** The refund's destination as Stripe shows it for the charge's payment method. */
export function destinationDetailsFor(charge: Stripe.Charge): Stripe.Refund.DestinationDetails {
  const type = charge.payment_method_details?.type ?? 'card';
  if (type === 'card') return { card: { reference_status: 'pending', reference_type: 'acquirer_reference_number', type: 'refund' }, type: 'card' } as Stripe.Refund.DestinationDetails;
  return { [type]: {}, type } as unknown as Stripe.Refund.DestinationDetails;
}

/**
 * Changes a refund after its creation and records what Stripe sends then: `refund.updated` and
 * `charge.refund.updated`, both with the previous values. The copy in the charge's `refunds` list
 * follows.
 */
function updateRefund(rt: StripeRuntime, refund: Stripe.Refund, change: (refund: Stripe.Refund) => void): boolean {
  const before = structuredClone(refund);
  change(refund);
  const previous = previousAttributes(before, refund);
  if (!previous) return false;
  const charge = refund.charge ? rt.state.charges.get(String(refund.charge)) : undefined;
  if (charge?.refunds) charge.refunds = { ...charge.refunds, data: charge.refunds.data.map((copy) => (copy.id === refund.id ? structuredClone(refund) : copy)) };
  rt.events.record('refund.updated', refund, previous);
  rt.events.record('charge.refund.updated', refund, previous);
  return true;
}

/** A pending refund reaches the customer's bank (a timer of `createRefund`). */
export function settleRefund(rt: StripeRuntime, refund: Stripe.Refund): void {
  if (refund.status !== 'pending') return;
  updateRefund(rt, refund, (r) => (r.status = 'succeeded'));
}

/**
 * The refund could not be delivered: it is `failed` with a reason, the money stays with the
 * merchant, and the charge's `amount_refunded` goes back down by it (a timer of `createRefund`).
 */
export function failRefund(rt: StripeRuntime, refund: Stripe.Refund): void {
  if (refund.status !== 'succeeded' && refund.status !== 'pending') return;
  const charge = refund.charge ? rt.state.charges.get(String(refund.charge)) : undefined;
  if (charge) {
    charge.amount_refunded = Math.max(0, charge.amount_refunded - refund.amount);
    charge.refunded = charge.amount_refunded >= charge.amount_captured && charge.amount_captured > 0;
  }
  updateRefund(rt, refund, (r) => {
    r.status = 'failed';
    r.failure_reason = CARD_REFUND_FAILURE_REASON;
    r.failure_balance_transaction = newId('txn');
  });
  rt.events.record('refund.failed', refund);
}
