import type Stripe from 'stripe';
import { updateWithEvent } from '../events/record-update.ts';
import type { StripeRuntime } from '../runtime.ts';
import { newId } from '../state/ids.ts';
import { CREATED_RANGE, PAGINATION, type SpecOf } from '../wire/accepted-params.ts';
import { declareRoutes, type RouteTable } from '../wire/api-routes.ts';
import { listPage, matchesRange, newestFirst } from '../wire/list.ts';
import { mergeMetadata, optionalBool, optionalObject, optionalString } from '../wire/params.ts';
import { stripeErrors } from '../wire/stripe-error.ts';

const EVIDENCE_FIELDS = [
  'access_activity_log', 'billing_address', 'cancellation_policy', 'cancellation_policy_disclosure', 'cancellation_rebuttal',
  'customer_communication', 'customer_email_address', 'customer_name', 'customer_purchase_ip', 'customer_signature',
  'duplicate_charge_documentation', 'duplicate_charge_explanation', 'duplicate_charge_id', 'product_description', 'receipt',
  'refund_policy', 'refund_policy_disclosure', 'refund_refusal_explanation', 'service_date', 'service_documentation',
  'shipping_address', 'shipping_carrier', 'shipping_date', 'shipping_documentation', 'shipping_tracking_number',
  'uncategorized_file', 'uncategorized_text',
] as const;

const EVIDENCE_DUE_SECONDS = 21 * 86_400;

function isInquiry(dispute: Stripe.Dispute): boolean {
  return dispute.status.startsWith('warning_');
}

/** The cardholder disputes a charge (test cards createDispute / createDisputeInquiry, SEPA AT59…). */
export function openDispute(rt: StripeRuntime, charge: Stripe.Charge, spec: { reason: string; inquiry: boolean }): Stripe.Dispute {
  const now = rt.time.nowFor(typeof charge.customer === 'string' ? charge.customer : null);
  const card = (charge.payment_method_details as { card?: { brand?: string } } | null)?.card;
  // A SEPA Direct Debit reversal is a dispute too; the pinned version describes only some methods' details.
  const methodDetails = card || !charge.payment_method_details
    ? { card: { brand: card?.brand ?? 'visa', case_type: spec.inquiry ? 'inquiry' : 'chargeback', network: card?.brand ?? 'visa', network_reason_code: '10.4' }, type: 'card' }
    : { type: charge.payment_method_details.type };
  const dispute = {
    id: newId('dp'),
    object: 'dispute',
    amount: charge.amount,
    balance_transactions: [],
    charge: charge.id,
    created: now,
    currency: charge.currency,
    enhanced_eligibility_types: [],
    evidence: { ...Object.fromEntries(EVIDENCE_FIELDS.map((field) => [field, null])), enhanced_evidence: {} },
    evidence_details: { due_by: now + EVIDENCE_DUE_SECONDS, enhanced_eligibility: {}, has_evidence: false, past_due: false, submission_count: 0, submission_method: 'not_submitted' },
    is_charge_refundable: spec.inquiry,
    livemode: false,
    metadata: {},
    payment_intent: charge.payment_intent,
    payment_method_details: methodDetails,
    reason: spec.reason,
    status: spec.inquiry ? 'warning_needs_response' : 'needs_response',
  } as unknown as Stripe.Dispute;
  rt.state.disputes.add(dispute);
  updateWithEvent(rt, 'charge.updated', charge, (c) => (c.disputed = true));
  rt.events.record('charge.dispute.created', dispute);
  if (!spec.inquiry) rt.events.record('charge.dispute.funds_withdrawn', dispute);
  return dispute;
}

export function closeDispute(rt: StripeRuntime, dispute: Stripe.Dispute, won: boolean): void {
  const previous = { status: dispute.status };
  dispute.status = isInquiry(dispute) ? 'warning_closed' : won ? 'won' : 'lost';
  rt.events.record('charge.dispute.closed', dispute, previous);
  if (dispute.status === 'won') rt.events.record('charge.dispute.funds_reinstated', dispute);
}

/** Stripe's test evidence: `winning_evidence` wins the dispute, `losing_evidence` loses it, once submitted. */
function updateDispute(rt: StripeRuntime, dispute: Stripe.Dispute, params: Record<string, unknown>): void {
  if (['won', 'lost', 'warning_closed'].includes(dispute.status)) throw stripeErrors.invalidRequest('This dispute is already closed.', undefined, 'dispute_already_closed');
  const submit = optionalBool(params, 'submit') ?? true;
  updateWithEvent(rt, 'charge.dispute.updated', dispute, (d) => {
    const evidence = optionalObject(params, 'evidence') ?? {};
    for (const field of EVIDENCE_FIELDS) {
      const value = optionalString(evidence, field);
      if (value !== undefined) (d.evidence as unknown as Record<string, unknown>)[field] = value === '' ? null : value;
    }
    d.evidence_details.has_evidence = EVIDENCE_FIELDS.some((field) => (d.evidence as unknown as Record<string, unknown>)[field] !== null);
    d.metadata = mergeMetadata(d.metadata, params);
    if (submit && d.evidence_details.has_evidence) {
      d.evidence_details.submission_count += 1;
      d.evidence_details.submission_method = 'manual';
      d.status = isInquiry(d) ? 'warning_under_review' : 'under_review';
    }
  });
  const text = dispute.evidence.uncategorized_text;
  if (submit && (text === 'winning_evidence' || text === 'losing_evidence')) {
    rt.state.addTimer(rt.time.sharedNow(), null, 'close_dispute', { dispute: dispute.id, won: text === 'winning_evidence' });
  }
}

/** What each route accepts (besides `expand`); anything else is answered 400 `parameter_unknown`. */
const ACCEPTS = {
  'GET /disputes/:id': {} satisfies SpecOf<Stripe.DisputeRetrieveParams>,
  'POST /disputes/:id': {
    evidence: Object.fromEntries(EVIDENCE_FIELDS.map((field) => [field, true])) as Record<(typeof EVIDENCE_FIELDS)[number], true>,
    metadata: true,
    submit: true,
  } satisfies SpecOf<Stripe.DisputeUpdateParams>,
  'POST /disputes/:id/close': {} satisfies SpecOf<Stripe.DisputeCloseParams>,
  'GET /disputes': { ...PAGINATION, ...CREATED_RANGE, charge: true, payment_intent: true } satisfies SpecOf<Stripe.DisputeListParams>,
};

export function disputeRoutes(rt: StripeRuntime): RouteTable {
  const { state } = rt;
  return declareRoutes(ACCEPTS, {
    'GET /disputes/:id': ({ path }) => state.disputes.require(path.id!),
    'POST /disputes/:id': ({ path, params }) => {
      const dispute = state.disputes.require(path.id!);
      updateDispute(rt, dispute, params);
      return dispute;
    },
    'POST /disputes/:id/close': ({ path }) => {
      const dispute = state.disputes.require(path.id!);
      if (!['won', 'lost', 'warning_closed'].includes(dispute.status)) closeDispute(rt, dispute, false);
      return dispute;
    },
    'GET /disputes': ({ params }) => {
      const charge = optionalString(params, 'charge');
      const paymentIntent = optionalString(params, 'payment_intent');
      const items = state.disputes.filter((d) => (!charge || d.charge === charge) && (!paymentIntent || d.payment_intent === paymentIntent) && matchesRange(d.created, params.created));
      return listPage(newestFirst(items), params, '/v1/disputes');
    },
  });
}
