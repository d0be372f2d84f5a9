import type Stripe from 'stripe';
import { updateWithEvent } from '../events/record-update.ts';
import type { StripeRuntime } from '../runtime.ts';
import { newId } from '../state/ids.ts';
import { CREATED_RANGE, PAGINATION, type SpecOf } from '../wire/accepted-params.ts';
import { declareRoutes, type RouteTable } from '../wire/api-routes.ts';
import type { Params } from '../wire/form-body.ts';
import { listPage, matchesRange, newestFirst } from '../wire/list.ts';
import { mergeMetadata, optionalEnum, optionalInt, optionalString } from '../wire/params.ts';
import { stripeErrors } from '../wire/stripe-error.ts';
import { destinationDetailsFor, refundStartFor } from './refund-lifecycle.ts';

function chargeToRefund(rt: StripeRuntime, params: Params): Stripe.Charge {
  const chargeId = optionalString(params, 'charge');
  if (chargeId) return rt.state.charges.require(chargeId, 'charge');
  const intentId = optionalString(params, 'payment_intent');
  if (!intentId) throw stripeErrors.invalidRequest('One of the following params should be provided for this request: payment_intent or charge.', undefined, 'parameter_missing');
  const intent = rt.state.paymentIntents.require(intentId, 'payment_intent');
  const charge = intent.latest_charge ? rt.state.charges.get(String(intent.latest_charge)) : undefined;
  if (!charge || intent.status !== 'succeeded') {
    throw stripeErrors.invalidRequest(`This PaymentIntent (${intent.id}) does not have a successful charge to refund.`, 'payment_intent', 'charge_not_refundable');
  }
  return charge;
}

/**
 * Full or partial refund of a captured charge. Card refunds are `succeeded` at once in test mode;
 * a SEPA Direct Debit refund is `pending` and settles later, and a refund of the `refundFail` card
 * fails later (refund-lifecycle.ts). A pending refund counts in `amount_refunded`, as at Stripe.
 */
export function createRefund(rt: StripeRuntime, params: Params): Stripe.Refund {
  const charge = chargeToRefund(rt, params);
  if (!charge.captured || charge.status !== 'succeeded') throw stripeErrors.invalidRequest(`Charge ${charge.id} has not been captured and cannot be refunded.`, undefined, 'charge_not_refundable');
  const remaining = charge.amount_captured - charge.amount_refunded;
  if (remaining <= 0) throw stripeErrors.invalidRequest(`Charge ${charge.id} has already been refunded.`, undefined, 'charge_already_refunded');
  const amount = optionalInt(params, 'amount', { min: 1 }) ?? remaining;
  if (amount > remaining) {
    throw stripeErrors.invalidRequest(`Refund amount (${amount}) is greater than unrefunded amount on charge (${remaining})`, 'amount', 'amount_too_large');
  }
  const customer = typeof charge.customer === 'string' ? charge.customer : null;
  const start = refundStartFor(rt, charge);
  const refund: Stripe.Refund = {
    id: newId('re'),
    object: 'refund',
    amount,
    balance_transaction: newId('txn'),
    charge: charge.id,
    created: rt.time.nowFor(customer),
    currency: charge.currency,
    customer,
    customer_account: null,
    destination_details: destinationDetailsFor(charge),
    metadata: mergeMetadata(null, params),
    payment_intent: charge.payment_intent,
    payment_method: charge.payment_method,
    reason: optionalEnum(params, 'reason', ['duplicate', 'fraudulent', 'requested_by_customer'] as const) ?? null,
    receipt_number: null,
    source_transfer_reversal: null,
    status: start.status,
    transfer_reversal: null,
  };
  rt.state.refunds.add(refund);
  if (start.later) rt.state.addTimer(refund.created + start.later.afterSeconds, rt.time.clockOfCustomer(customer), start.later.kind, { refund: refund.id });
  rt.events.record('refund.created', refund);
  updateWithEvent(rt, 'charge.refunded', charge, (c) => {
    c.amount_refunded += amount;
    c.refunded = c.amount_refunded >= c.amount_captured;
    const list = c.refunds ?? { object: 'list', data: [], has_more: false, url: `/v1/charges/${c.id}/refunds` };
    c.refunds = { ...list, data: [structuredClone(refund), ...list.data] };
  });
  return refund;
}

/** What each route accepts (besides `expand`); anything else is answered 400 `parameter_unknown`. */
const ACCEPTS = {
  'POST /refunds': { amount: true, charge: true, metadata: true, payment_intent: true, reason: true } satisfies SpecOf<Stripe.RefundCreateParams>,
  'GET /refunds/:id': {} satisfies SpecOf<Stripe.RefundRetrieveParams>,
  'POST /refunds/:id': { metadata: true } satisfies SpecOf<Stripe.RefundUpdateParams>,
  'GET /refunds': { ...PAGINATION, ...CREATED_RANGE, charge: true, payment_intent: true } satisfies SpecOf<Stripe.RefundListParams>,
  'GET /charges/:id/refunds': { ...PAGINATION } satisfies SpecOf<Stripe.RefundListParams>,
};

export function refundRoutes(rt: StripeRuntime): RouteTable {
  const { state } = rt;
  return declareRoutes(ACCEPTS, {
    'POST /refunds': ({ params }) => createRefund(rt, params),
    'GET /refunds/:id': ({ path }) => state.refunds.require(path.id!),
    'POST /refunds/:id': ({ path, params }) => {
      const refund = state.refunds.require(path.id!);
      updateWithEvent(rt, 'refund.updated', refund, (r) => (r.metadata = mergeMetadata(r.metadata, params)));
      return refund;
    },
    'GET /refunds': ({ params }) => {
      const charge = optionalString(params, 'charge');
      const intent = optionalString(params, 'payment_intent');
      const items = state.refunds.filter((r) => (!charge || r.charge === charge) && (!intent || r.payment_intent === intent) && matchesRange(r.created, params.created));
      return listPage(newestFirst(items), params, '/v1/refunds');
    },
    'GET /charges/:id/refunds': ({ path, params }) => {
      const charge = state.charges.require(path.id!);
      return listPage(newestFirst(state.refunds.filter((r) => r.charge === charge.id)), params, `/v1/charges/${charge.id}/refunds`);
    },
  });
}
