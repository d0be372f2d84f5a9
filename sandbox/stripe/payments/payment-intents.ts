import type Stripe from 'stripe';
import type { StripeRuntime } from '../runtime.ts';
import { newId, randomBase62 } from '../state/ids.ts';
import { stripeErrors, type StripeApiError } from '../wire/stripe-error.ts';
import { isBankRedirect } from './bank-redirects.ts';
import { buildCharge } from './charge-object.ts';
import { openDispute } from './disputes.ts';
import { attachPaymentMethod, cardErrorFor, testCardOf } from './payment-methods.ts';
import { sepaBehaviour } from './sepa-accounts.ts';
import type { Decline } from './test-cards.ts';

export type NewPaymentIntent = {
  amount: number;
  currency: string;
  customer: string | null;
  paymentMethod: string | null;
  paymentMethodTypes?: string[];
  captureMethod?: Stripe.PaymentIntent.CaptureMethod;
  confirmationMethod?: Stripe.PaymentIntent.ConfirmationMethod;
  description?: string | null;
  metadata?: Record<string, string>;
  setupFutureUsage?: Stripe.PaymentIntent.SetupFutureUsage | null;
  shipping?: Stripe.PaymentIntent.Shipping | null;
  receiptEmail?: string | null;
  statementDescriptor?: string | null;
};

export function createPaymentIntent(rt: StripeRuntime, input: NewPaymentIntent): Stripe.PaymentIntent {
  const id = newId('pi');
  const intent = {
    id,
    object: 'payment_intent',
    amount: input.amount,
    amount_capturable: 0,
    amount_details: { tip: {} },
    amount_received: 0,
    application: null,
    application_fee_amount: null,
    automatic_payment_methods: input.paymentMethodTypes ? null : { allow_redirects: 'always', enabled: true },
    canceled_at: null,
    cancellation_reason: null,
    capture_method: input.captureMethod ?? 'automatic',
    client_secret: `${id}_secret_${randomBase62(25)}`,
    confirmation_method: input.confirmationMethod ?? 'automatic',
    created: rt.time.nowFor(input.customer),
    currency: input.currency,
    customer: input.customer,
    customer_account: null,
    description: input.description ?? null,
    excluded_payment_method_types: null,
    last_payment_error: null,
    latest_charge: null,
    livemode: false,
    managed_payments: null,
    metadata: input.metadata ?? {},
    next_action: null,
    on_behalf_of: null,
    payment_method: input.paymentMethod,
    payment_method_configuration_details: null,
    payment_method_options: {},
    payment_method_types: input.paymentMethodTypes ?? ['card'],
    processing: null,
    receipt_email: input.receiptEmail ?? null,
    review: null,
    setup_future_usage: input.setupFutureUsage ?? null,
    shipping: input.shipping ?? null,
    source: null,
    statement_descriptor: input.statementDescriptor ?? null,
    statement_descriptor_suffix: null,
    status: input.paymentMethod ? 'requires_confirmation' : 'requires_payment_method',
    transfer_data: null,
    transfer_group: null,
  } as Stripe.PaymentIntent;
  rt.state.paymentIntents.add(intent);
  rt.events.record('payment_intent.created', intent);
  return intent;
}

/** `redirectDetails`: the bank's report of an iDEAL or Bancontact payment the customer authorised on the bank page. */
export type ConfirmOptions = { offSession: boolean; authenticated?: boolean; returnUrl?: string; redirectDetails?: Record<string, unknown> };

const CONFIRMABLE: readonly string[] = ['requires_payment_method', 'requires_confirmation', 'requires_action'];

function settled(rt: StripeRuntime, intent: Stripe.PaymentIntent): void {
  for (const listener of rt.paymentIntentListeners) listener(intent);
}

function fail(rt: StripeRuntime, intent: Stripe.PaymentIntent, paymentMethod: Stripe.PaymentMethod, decline: Decline, charge: Stripe.Charge | null): StripeApiError {
  intent.status = 'requires_payment_method';
  intent.payment_method = null;
  intent.next_action = null;
  const error = cardErrorFor(decline, { ...(charge ? { charge: charge.id } : {}), payment_method: structuredClone(paymentMethod) });
  intent.last_payment_error = { ...error.body } as Stripe.PaymentIntent.LastPaymentError;
  if (charge) rt.events.record('charge.failed', charge);
  rt.events.record('payment_intent.payment_failed', intent);
  settled(rt, intent);
  return cardErrorFor(decline, { ...(charge ? { charge: charge.id } : {}), payment_intent: structuredClone(intent), payment_method: structuredClone(paymentMethod) });
}

/** The money moved: a captured (or authorised, for manual capture) charge, then a dispute if the test card asks for one. */
export function succeed(rt: StripeRuntime, intent: Stripe.PaymentIntent, charge: Stripe.Charge): void {
  intent.last_payment_error = null;
  intent.next_action = null;
  intent.processing = null;
  if (intent.capture_method === 'manual') {
    intent.status = 'requires_capture';
    intent.amount_capturable = intent.amount;
    rt.events.record('charge.succeeded', charge);
    rt.events.record('payment_intent.amount_capturable_updated', intent);
  } else {
    intent.status = 'succeeded';
    intent.amount_received = intent.amount;
    rt.events.record('charge.succeeded', charge);
    rt.events.record('payment_intent.succeeded', intent);
  }
  const customer = typeof intent.customer === 'string' ? intent.customer : null;
  const paymentMethod = rt.state.paymentMethods.get(String(charge.payment_method));
  // A bank redirect is used once; what Stripe saves of it is the SEPA Direct Debit it generates.
  if (paymentMethod && intent.setup_future_usage && customer && !paymentMethod.customer && !isBankRedirect(paymentMethod.type)) attachPaymentMethod(rt, paymentMethod, customer);
  const dispute = paymentMethod ? testCardOf(paymentMethod)?.dispute : undefined;
  // Stripe opens test disputes moments after the charge, not inside the confirming request.
  if (dispute) rt.state.addTimer(rt.time.nowFor(customer), rt.time.clockOfCustomer(customer), 'open_dispute', { charge: charge.id, ...dispute });
  settled(rt, intent);
}

function requireAction(rt: StripeRuntime, intent: Stripe.PaymentIntent, options: ConfirmOptions): void {
  intent.status = 'requires_action';
  intent.next_action = options.returnUrl
    ? { type: 'redirect_to_url', redirect_to_url: { return_url: options.returnUrl, url: `${rt.sandbox.baseUrl()}/stripe/authenticate/${intent.id}` } }
    : ({ type: 'use_stripe_sdk', use_stripe_sdk: { type: 'three_d_secure_redirect', stripe_js: `${rt.sandbox.baseUrl()}/stripe/authenticate/${intent.id}` } } as Stripe.PaymentIntent.NextAction);
  rt.events.record('payment_intent.requires_action', intent);
  settled(rt, intent);
}

/**
 * The customer failed (or cancelled) the 3D Secure challenge: the intent wants another payment
 * method, and an invoice it pays stays open.
 */
export function failAuthentication(rt: StripeRuntime, intent: Stripe.PaymentIntent): void {
  intent.status = 'requires_payment_method';
  intent.next_action = null;
  intent.last_payment_error = { type: 'invalid_request_error', code: 'payment_intent_authentication_failure', message: 'The provided PaymentMethod has failed authentication.' } as Stripe.PaymentIntent.LastPaymentError;
  rt.events.record('payment_intent.payment_failed', intent);
  settled(rt, intent);
}

/**
 * Confirms with the intent's payment method; the outcome follows Stripe's test card or IBAN.
 * Returns the card error for a decline (the caller decides whether the API answers 402).
 */
export function confirmPaymentIntent(rt: StripeRuntime, intent: Stripe.PaymentIntent, options: ConfirmOptions): StripeApiError | null {
  if (!CONFIRMABLE.includes(intent.status)) {
    throw stripeErrors.invalidRequest(`You cannot confirm this PaymentIntent because it has a status of ${intent.status}.`, undefined, 'payment_intent_unexpected_state');
  }
  if (!intent.payment_method) {
    throw stripeErrors.invalidRequest("You cannot confirm this PaymentIntent because it's missing a payment method.", 'payment_method', 'payment_intent_unexpected_state');
  }
  const paymentMethod = rt.state.paymentMethods.require(String(intent.payment_method), 'payment_method');
  if (paymentMethod.type === 'customer_balance') {
    intent.status = 'requires_action';
    intent.next_action = { type: 'display_bank_transfer_instructions', display_bank_transfer_instructions: { amount_remaining: intent.amount, currency: intent.currency, financial_addresses: [], hosted_instructions_url: null, reference: randomBase62(8).toUpperCase(), type: 'jp_bank_transfer' } } as unknown as Stripe.PaymentIntent.NextAction;
    rt.events.record('payment_intent.requires_action', intent);
    return null;
  }
  if (paymentMethod.type === 'sepa_debit') return startDebit(rt, intent, paymentMethod);
  const card = testCardOf(paymentMethod);
  const needsAuthentication = card?.authentication === 'always' || (card?.authentication === 'on_session' && !options.offSession);
  if (needsAuthentication && !options.authenticated && !rt.state.authenticatedOnce.delete(paymentMethod.id)) {
    requireAction(rt, intent, options);
    return null;
  }
  if (card?.declines) {
    const charge = rt.state.charges.add(buildCharge(rt, intent, paymentMethod, { status: 'failed', captured: false, decline: card.declines }));
    intent.latest_charge = charge.id;
    return fail(rt, intent, paymentMethod, card.declines, charge);
  }
  const charge = rt.state.charges.add(buildCharge(rt, intent, paymentMethod, { status: 'succeeded', captured: intent.capture_method !== 'manual', redirectDetails: options.redirectDetails }));
  intent.latest_charge = charge.id;
  succeed(rt, intent, charge);
  return null;
}

/** SEPA Direct Debit: processing now, settled by the clock (at once, or after the IBAN's delay: `settleDebit`). */
function startDebit(rt: StripeRuntime, intent: Stripe.PaymentIntent, paymentMethod: Stripe.PaymentMethod): null {
  const behaviour = sepaBehaviour(paymentMethod.sepa_debit?.fingerprint);
  const charge = rt.state.charges.add(buildCharge(rt, intent, paymentMethod, { status: 'pending', captured: true }));
  intent.latest_charge = charge.id;
  intent.status = 'processing';
  intent.processing = null;
  rt.events.record('charge.pending', charge);
  rt.events.record('payment_intent.processing', intent);
  const customer = typeof intent.customer === 'string' ? intent.customer : null;
  rt.state.addTimer(rt.time.nowFor(customer) + behaviour.settlesAfterSeconds, rt.time.clockOfCustomer(customer), 'settle_sepa_debit', { paymentIntent: intent.id, charge: charge.id, paymentMethod: paymentMethod.id });
  settled(rt, intent);
  return null;
}

/** The bank's answer to a SEPA debit, as its test IBAN says; a timer of `startDebit`. */
export function settleDebit(rt: StripeRuntime, intent: Stripe.PaymentIntent, charge: Stripe.Charge, paymentMethod: Stripe.PaymentMethod): void {
  if (intent.status !== 'processing') return;
  const behaviour = sepaBehaviour(paymentMethod.sepa_debit?.fingerprint);
  if (behaviour.fails) {
    charge.status = 'failed';
    charge.failure_code = behaviour.fails.code;
    charge.failure_message = behaviour.fails.message;
    fail(rt, intent, paymentMethod, behaviour.fails, charge);
    return;
  }
  charge.status = 'succeeded';
  charge.paid = true;
  charge.captured = true;
  charge.amount_captured = charge.amount;
  succeed(rt, intent, charge);
  if (behaviour.disputed) openDispute(rt, charge, { reason: 'general', inquiry: false });
}
