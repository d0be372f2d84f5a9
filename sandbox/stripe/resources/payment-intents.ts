import type Stripe from 'stripe';
import { updateWithEvent } from '../events/record-update.ts';
import { confirmPaymentIntent, createPaymentIntent } from '../payments/payment-intents.ts';
import { createPaymentMethod, resolvePaymentMethod } from '../payments/payment-methods.ts';
import type { StripeRuntime } from '../runtime.ts';
import { CREATED_RANGE, PAGINATION, type SpecOf } from '../wire/accepted-params.ts';
import { declareRoutes, type RouteTable } from '../wire/api-routes.ts';
import type { Params } from '../wire/form-body.ts';
import { listPage, matchesRange, newestFirst } from '../wire/list.ts';
import { mergeMetadata, nullableString, optionalBool, optionalEnum, optionalInt, optionalObject, optionalString, optionalStringArray, requireInt, requireString } from '../wire/params.ts';
import { stripeErrors } from '../wire/stripe-error.ts';

function paymentMethodFrom(rt: StripeRuntime, params: Params): string | null {
  const data = optionalObject(params, 'payment_method_data');
  if (data) return createPaymentMethod(rt, requireString(params, 'payment_method_data.type'), data).id;
  const given = optionalString(params, 'payment_method');
  return given ? resolvePaymentMethod(rt, given, 'payment_method').id : null;
}

function confirm(rt: StripeRuntime, intent: Stripe.PaymentIntent, params: Params): void {
  const returnUrl = optionalString(params, 'return_url');
  const error = confirmPaymentIntent(rt, intent, { offSession: optionalBool(params, 'off_session') ?? false, ...(returnUrl ? { returnUrl } : {}) });
  if (error) throw error;
}

function capture(rt: StripeRuntime, intent: Stripe.PaymentIntent, params: Params): void {
  if (intent.status !== 'requires_capture') {
    throw stripeErrors.invalidRequest(`This PaymentIntent could not be captured because it has a status of ${intent.status}. Only a PaymentIntent with one of the following statuses may be captured: requires_capture.`, undefined, 'payment_intent_unexpected_state');
  }
  const amount = optionalInt(params, 'amount_to_capture', { min: 1, max: intent.amount_capturable }) ?? intent.amount_capturable;
  const charge = rt.state.charges.require(String(intent.latest_charge));
  updateWithEvent(rt, 'charge.captured', charge, (c) => {
    c.captured = true;
    c.amount_captured = amount;
    // The part not captured goes back to the cardholder, shown as refunded.
    c.amount_refunded = c.amount - amount;
  });
  intent.status = 'succeeded';
  intent.amount_capturable = 0;
  intent.amount_received = amount;
  rt.events.record('payment_intent.succeeded', intent);
  for (const listener of rt.paymentIntentListeners) listener(intent);
}

const CANCELABLE: readonly string[] = ['requires_payment_method', 'requires_capture', 'requires_confirmation', 'requires_action'];

function cancel(rt: StripeRuntime, intent: Stripe.PaymentIntent, params: Params): void {
  if (!CANCELABLE.includes(intent.status)) {
    throw stripeErrors.invalidRequest(`You cannot cancel this PaymentIntent because it has a status of ${intent.status}. Only a PaymentIntent with one of the following statuses may be canceled: ${CANCELABLE.join(', ')}.`, undefined, 'payment_intent_unexpected_state');
  }
  if (intent.status === 'requires_capture' && intent.latest_charge) {
    updateWithEvent(rt, 'charge.refunded', rt.state.charges.require(String(intent.latest_charge)), (c) => {
      c.amount_refunded = c.amount;
      c.refunded = true;
    });
  }
  intent.status = 'canceled';
  intent.amount_capturable = 0;
  intent.next_action = null;
  intent.canceled_at = rt.time.nowFor(typeof intent.customer === 'string' ? intent.customer : null);
  intent.cancellation_reason = optionalEnum(params, 'cancellation_reason', ['duplicate', 'fraudulent', 'requested_by_customer', 'abandoned'] as const) ?? null;
  rt.events.record('payment_intent.canceled', intent);
  for (const listener of rt.paymentIntentListeners) listener(intent);
}
import { NEW_PAYMENT_METHOD } from './payment-method-routes.ts';

/** What each route accepts (besides `expand`); anything else is answered 400 `parameter_unknown`. */
const CONFIRMATION = {
  // Known to Stripe and sent by its CLI's fixtures (a SEPA mandate, a bank transfer's options); taken without effect.
  mandate_data: { customer_acceptance: { accepted_at: true, offline: true, online: true, type: true } },
  off_session: true,
  payment_method: true,
  payment_method_data: NEW_PAYMENT_METHOD,
  payment_method_options: { card: true, customer_balance: { bank_transfer: { eu_bank_transfer: true, requested_address_types: true, type: true }, funding_type: true }, sepa_debit: true },
  return_url: true,
} as const satisfies SpecOf<Stripe.PaymentIntentConfirmParams>;
const ACCEPTS = {
  'POST /payment_intents': {
    ...CONFIRMATION,
    amount: true,
    capture_method: true,
    confirm: true,
    confirmation_method: true,
    currency: true,
    customer: true,
    description: true,
    metadata: true,
    allowed_payment_method_types: true,
    receipt_email: true,
    setup_future_usage: true,
    shipping: { address: { city: true, country: true, line1: true, line2: true, postal_code: true, state: true }, carrier: true, name: true, phone: true, tracking_number: true },
    statement_descriptor: true,
  } satisfies SpecOf<Stripe.PaymentIntentCreateParams>,
  'GET /payment_intents/:id': {} satisfies SpecOf<Stripe.PaymentIntentRetrieveParams>,
  'POST /payment_intents/:id': { amount: true, description: true, metadata: true, payment_method: true, payment_method_data: NEW_PAYMENT_METHOD } satisfies SpecOf<Stripe.PaymentIntentUpdateParams>,
  'POST /payment_intents/:id/confirm': CONFIRMATION,
  'POST /payment_intents/:id/capture': { amount_to_capture: true } satisfies SpecOf<Stripe.PaymentIntentCaptureParams>,
  'POST /payment_intents/:id/cancel': { cancellation_reason: true } satisfies SpecOf<Stripe.PaymentIntentCancelParams>,
  'GET /payment_intents': { ...PAGINATION, ...CREATED_RANGE, customer: true } satisfies SpecOf<Stripe.PaymentIntentListParams>,
};

export function paymentIntentRoutes(rt: StripeRuntime): RouteTable {
  const { state } = rt;
  return declareRoutes(ACCEPTS, {
    'POST /payment_intents': ({ params }) => {
      const customer = optionalString(params, 'customer');
      if (customer) state.customers.require(customer, 'customer');
      const paymentMethod = paymentMethodFrom(rt, params);
      const shipping = optionalObject(params, 'shipping');
      const intent = createPaymentIntent(rt, {
        amount: requireInt(params, 'amount', { min: 1, max: 99_999_999 }),
        currency: requireString(params, 'currency').toLowerCase(),
        customer: customer ?? null,
        paymentMethod,
        ...(optionalStringArray(params, 'allowed_payment_method_types') ? { paymentMethodTypes: optionalStringArray(params, 'allowed_payment_method_types')! } : {}),
        captureMethod: optionalEnum(params, 'capture_method', ['automatic', 'automatic_async', 'manual'] as const) ?? 'automatic',
        confirmationMethod: optionalEnum(params, 'confirmation_method', ['automatic', 'manual'] as const) ?? 'automatic',
        description: optionalString(params, 'description') ?? null,
        metadata: mergeMetadata(null, params),
        setupFutureUsage: optionalEnum(params, 'setup_future_usage', ['off_session', 'on_session'] as const) ?? null,
        shipping: (shipping as Stripe.PaymentIntent.Shipping | undefined) ?? null,
        receiptEmail: optionalString(params, 'receipt_email') ?? null,
        statementDescriptor: optionalString(params, 'statement_descriptor') ?? null,
      });
      if (optionalBool(params, 'confirm')) confirm(rt, intent, params);
      return intent;
    },
    'GET /payment_intents/:id': ({ path }) => state.paymentIntents.require(path.id!),
    'POST /payment_intents/:id': ({ path, params }) => {
      const intent = state.paymentIntents.require(path.id!);
      const amount = optionalInt(params, 'amount', { min: 1 });
      const paymentMethod = paymentMethodFrom(rt, params);
      intent.metadata = mergeMetadata(intent.metadata, params);
      if (amount !== undefined) intent.amount = amount;
      if (paymentMethod) intent.payment_method = paymentMethod;
      const description = nullableString(params, 'description');
      if (description !== undefined) intent.description = description;
      if (paymentMethod && intent.status === 'requires_payment_method') intent.status = 'requires_confirmation';
      return intent;
    },
    'POST /payment_intents/:id/confirm': ({ path, params }) => {
      const intent = state.paymentIntents.require(path.id!);
      const paymentMethod = paymentMethodFrom(rt, params);
      if (paymentMethod) intent.payment_method = paymentMethod;
      confirm(rt, intent, params);
      return intent;
    },
    'POST /payment_intents/:id/capture': ({ path, params }) => {
      const intent = state.paymentIntents.require(path.id!);
      capture(rt, intent, params);
      return intent;
    },
    'POST /payment_intents/:id/cancel': ({ path, params }) => {
      const intent = state.paymentIntents.require(path.id!);
      cancel(rt, intent, params);
      return intent;
    },
    'GET /payment_intents': ({ params }) => {
      const customer = optionalString(params, 'customer');
      const items = state.paymentIntents.filter((pi) => (!customer || pi.customer === customer) && matchesRange(pi.created, params.created));
      return listPage(newestFirst(items), params, '/v1/payment_intents');
    },
  });
}
