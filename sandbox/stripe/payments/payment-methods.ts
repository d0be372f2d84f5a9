import type Stripe from 'stripe';
import type { StripeRuntime } from '../runtime.ts';
import { newId } from '../state/ids.ts';
import type { Params } from '../wire/form-body.ts';
import { mergeMetadata, optionalObject, optionalString } from '../wire/params.ts';
import type { StripeApiError} from '../wire/stripe-error.ts';
import { stripeErrors } from '../wire/stripe-error.ts';
import { ibanFingerprint } from './sepa-accounts.ts';
import { cardFingerprint, testCardForFingerprint, testCardForNumber, testCardForToken, type Decline, type TestCard } from './test-cards.ts';

function billingDetails(params: Params | undefined): Stripe.PaymentMethod.BillingDetails {
  const address = (params?.address ?? {}) as Record<string, string | undefined>;
  const hasAddress = Object.keys(address).length > 0;
  return {
    address: hasAddress
      ? { city: address.city ?? null, country: address.country ?? null, line1: address.line1 ?? null, line2: address.line2 ?? null, postal_code: address.postal_code ?? null, state: address.state ?? null }
      : null,
    email: (params?.email as string | undefined) ?? null,
    name: (params?.name as string | undefined) ?? null,
    phone: (params?.phone as string | undefined) ?? null,
    tax_id: null,
  };
}

/** The fields every payment method has, of `type`, not stored: the caller adds its type's hash. */
export function basePaymentMethod(rt: StripeRuntime, type: Stripe.PaymentMethod.Type, params: Params): Stripe.PaymentMethod {
  return {
    id: newId('pm'),
    object: 'payment_method',
    allow_redisplay: 'unspecified',
    billing_details: billingDetails(optionalObject(params, 'billing_details')),
    created: rt.time.sharedNow(),
    customer: null,
    customer_account: null,
    livemode: false,
    metadata: mergeMetadata(null, params),
    type,
  };
}

function cardDetails(rt: StripeRuntime, card: TestCard): Stripe.PaymentMethod.Card {
  return {
    brand: card.brand,
    checks: { address_line1_check: null, address_postal_code_check: null, cvc_check: 'pass' },
    country: 'US',
    display_brand: card.brand,
    exp_month: 12,
    exp_year: new Date(rt.time.sharedNow() * 1000).getUTCFullYear() + 3,
    fingerprint: cardFingerprint(card.number),
    funding: card.funding,
    generated_from: null,
    last4: card.number.slice(-4),
    networks: { available: [card.brand], preferred: null },
    regulated_status: 'unregulated',
    three_d_secure_usage: { supported: true },
    wallet: null,
  } as Stripe.PaymentMethod.Card;
}

export function createCardPaymentMethod(rt: StripeRuntime, card: TestCard, params: Params = {}): Stripe.PaymentMethod {
  return rt.state.paymentMethods.add({ ...basePaymentMethod(rt, 'card', params), card: cardDetails(rt, card) });
}

/** POST /v1/payment_methods: card (test token or test number), sepa_debit (IBAN), customer_balance. */
export function createPaymentMethod(rt: StripeRuntime, type: string, params: Params): Stripe.PaymentMethod {
  if (type === 'card') {
    const token = optionalString(params, 'card.token');
    const number = optionalString(params, 'card.number');
    const card = token ? testCardForToken(token) : number ? testCardForNumber(number) : undefined;
    if (token && !card) throw stripeErrors.resourceMissing('token', token, 'card[token]');
    if (!card) throw stripeErrors.card('incorrect_number', 'Your card number is incorrect.', { param: 'card[number]' });
    return createCardPaymentMethod(rt, card, params);
  }
  if (type === 'sepa_debit') {
    const iban = optionalString(params, 'sepa_debit.iban');
    if (!iban) throw stripeErrors.missingParam('sepa_debit[iban]');
    const clean = iban.replace(/\s+/g, '').toUpperCase();
    const sepa = { bank_code: clean.slice(4, 9), branch_code: '', country: clean.slice(0, 2), fingerprint: ibanFingerprint(clean), generated_from: { charge: null, setup_attempt: null }, last4: clean.slice(-4) };
    return rt.state.paymentMethods.add({ ...basePaymentMethod(rt, 'sepa_debit', params), sepa_debit: sepa as Stripe.PaymentMethod.SepaDebit });
  }
  if (type === 'customer_balance') return rt.state.paymentMethods.add({ ...basePaymentMethod(rt, 'customer_balance', params), customer_balance: {} });
  throw stripeErrors.invalidRequest(`The payment method type "${type}" is not supported by the recur sandbox (card, sepa_debit, customer_balance).`, 'type', 'payment_method_invalid_parameter');
}

/** An existing `pm_…`, or a magic test token (`pm_card_visa`) that makes a fresh payment method, as in Stripe. */
export function resolvePaymentMethod(rt: StripeRuntime, idOrToken: string, param: string): Stripe.PaymentMethod {
  const existing = rt.state.paymentMethods.get(idOrToken);
  if (existing) return existing;
  const card = testCardForToken(idOrToken);
  if (card) return createCardPaymentMethod(rt, card);
  throw stripeErrors.resourceMissing('PaymentMethod', idOrToken, param);
}

export function testCardOf(paymentMethod: Stripe.PaymentMethod): TestCard | undefined {
  return testCardForFingerprint(paymentMethod.card?.fingerprint);
}

export function cardErrorFor(decline: Decline, extra: Record<string, unknown> = {}): StripeApiError {
  return stripeErrors.card(decline.code, decline.message, { ...(decline.declineCode ? { decline_code: decline.declineCode } : {}), ...extra });
}

/** Saving a card to a customer runs Stripe's card check: declined test cards fail here. */
export function checkAttachable(paymentMethod: Stripe.PaymentMethod, customerId: string): void {
  if (paymentMethod.customer && paymentMethod.customer !== customerId) {
    throw stripeErrors.invalidRequest('The payment method you provided has already been attached to a customer.', 'payment_method', 'payment_method_unexpected_state');
  }
  const decline = testCardOf(paymentMethod)?.failsAttach;
  if (decline) throw cardErrorFor(decline);
}

export function attachPaymentMethod(rt: StripeRuntime, paymentMethod: Stripe.PaymentMethod, customerId: string): Stripe.PaymentMethod {
  if (paymentMethod.customer === customerId) return paymentMethod;
  checkAttachable(paymentMethod, customerId);
  paymentMethod.customer = customerId;
  rt.events.record('payment_method.attached', paymentMethod);
  return paymentMethod;
}

export function detachPaymentMethod(rt: StripeRuntime, paymentMethod: Stripe.PaymentMethod): Stripe.PaymentMethod {
  if (!paymentMethod.customer) throw stripeErrors.invalidRequest('The payment method you provided is not attached to a customer so detachment is impossible.', undefined, 'payment_method_unexpected_state');
  const customer = rt.state.customers.get(String(paymentMethod.customer));
  if (customer?.invoice_settings.default_payment_method === paymentMethod.id) customer.invoice_settings.default_payment_method = null;
  const previous = { customer: paymentMethod.customer };
  paymentMethod.customer = null;
  rt.events.record('payment_method.detached', paymentMethod, previous);
  return paymentMethod;
}
