import type Stripe from 'stripe';
import { startSubscription } from '../billing/create-subscription.ts';
import { confirmPaymentIntent, createPaymentIntent } from '../payments/payment-intents.ts';
import { isBankRedirect } from '../payments/bank-redirects.ts';
import { attachPaymentMethod, testCardOf } from '../payments/payment-methods.ts';
import { createCustomer } from '../resources/customers.ts';
import type { StripeRuntime } from '../runtime.ts';
import type { CheckoutPlan } from '../state/stripe-state.ts';
import { finishSession } from './finish-session.ts';
import { noteGeneratedFrom, redirectDetailsOf, saveDebit, subscribeWithMandate, type MandateConsent, type MandatedSubscription } from './mandated-checkout.ts';
import { StripeApiError, stripeErrors } from '../wire/stripe-error.ts';

export type CheckoutOutcome = { kind: 'completed' } | { kind: 'declined'; error: StripeApiError } | { kind: 'requires_action' };

/** `consent`: a SEPA Direct Debit, iDEAL or Bancontact payment, made under a mandate the customer accepted on the page. */
export type CheckoutPayment = { paymentMethod: Stripe.PaymentMethod; email?: string | undefined; name?: string | undefined; authenticated?: boolean; consent?: MandateConsent };

function customerFor(rt: StripeRuntime, session: Stripe.Checkout.Session, payment: CheckoutPayment): Stripe.Customer | null {
  if (session.customer) return rt.state.customers.require(String(session.customer));
  const wanted = session.mode === 'subscription' || session.customer_creation === 'always';
  if (!wanted) return null;
  const email = session.customer_email ?? payment.email;
  return createCustomer(rt, { ...(email ? { email } : {}), ...(payment.name ? { name: payment.name } : {}) });
}

function details(customer: Stripe.Customer | null, session: Stripe.Checkout.Session, payment: CheckoutPayment): Stripe.Checkout.Session.CustomerDetails {
  return {
    address: null,
    business_name: null,
    email: customer?.email ?? session.customer_email ?? payment.email ?? payment.paymentMethod.billing_details.email ?? null,
    individual_name: null,
    name: customer?.name ?? payment.name ?? payment.paymentMethod.billing_details.name ?? null,
    phone: null,
    tax_exempt: 'none',
    tax_ids: [],
  } as Stripe.Checkout.Session.CustomerDetails;
}

function payOnce(rt: StripeRuntime, session: Stripe.Checkout.Session, customer: Stripe.Customer | null, payment: CheckoutPayment): CheckoutOutcome {
  const plan = rt.state.checkoutPlans.get(session.id)!;
  const intent = createPaymentIntent(rt, {
    amount: session.amount_total ?? 0,
    currency: session.currency ?? 'usd',
    customer: customer?.id ?? null,
    paymentMethod: payment.paymentMethod.id,
    paymentMethodTypes: session.payment_method_types,
    captureMethod: plan.paymentIntentData.captureMethod ?? 'automatic',
    description: plan.paymentIntentData.description ?? null,
    metadata: plan.paymentIntentData.metadata,
    setupFutureUsage: (plan.paymentIntentData.setupFutureUsage as Stripe.PaymentIntent.SetupFutureUsage | undefined) ?? null,
    shipping: (plan.paymentIntentData.shipping as Stripe.PaymentIntent.Shipping | undefined) ?? null,
  });
  rt.state.paymentPurpose.set(intent.id, { checkoutSession: session.id });
  session.payment_intent = intent.id;
  const { consent } = payment;
  const saved = consent ? saveDebit(rt, payment.paymentMethod, customer?.id ?? null, consent, Boolean(plan.paymentIntentData.setupFutureUsage)) : null;
  const redirectDetails = consent ? redirectDetailsOf(payment.paymentMethod, saved, consent) : undefined;
  const error = confirmPaymentIntent(rt, intent, { offSession: false, authenticated: payment.authenticated ?? false, ...(redirectDetails ? { redirectDetails } : {}) });
  noteGeneratedFrom(saved, { charge: intent.latest_charge as string | null });
  if (error) return { kind: 'declined', error };
  return intent.status === 'requires_action' ? { kind: 'requires_action' } : { kind: 'completed' };
}

/** What a checkout's subscription starts with, whatever pays for it. */
function subscriptionStart(plan: CheckoutPlan): MandatedSubscription['start'] {
  return {
    items: plan.lineItems.map((item) => ({ price: item.price as Stripe.Price & { recurring: Stripe.Price.Recurring }, quantity: item.quantity ?? 1, metadata: {} })),
    collectionMethod: 'charge_automatically',
    daysUntilDue: null,
    description: plan.subscriptionData.description ?? null,
    metadata: plan.subscriptionData.metadata,
    missingPaymentMethod: 'create_invoice',
    anchor: null,
    cancelAtPeriodEnd: false,
  };
}

function subscribe(rt: StripeRuntime, session: Stripe.Checkout.Session, customer: Stripe.Customer, payment: CheckoutPayment): CheckoutOutcome {
  const plan = rt.state.checkoutPlans.get(session.id)!;
  const now = rt.time.nowFor(customer.id);
  const trialDays = plan.subscriptionData.trialPeriodDays;
  const trialEnd = plan.subscriptionData.trialEnd ?? (trialDays ? now + trialDays * 86_400 : null);
  if (payment.consent) {
    subscribeWithMandate(rt, session, { customer, paymentMethod: payment.paymentMethod, consent: payment.consent, trialEnd, start: subscriptionStart(plan) });
    return { kind: 'completed' };
  }
  if (!trialEnd && testCardOf(payment.paymentMethod)?.authentication === 'always' && !payment.authenticated) return { kind: 'requires_action' };
  // The customer authenticated on the page: that covers the first payment, not later renewals.
  if (payment.authenticated) rt.state.authenticatedOnce.add(payment.paymentMethod.id);
  const subscription = startSubscription(rt, {
    customer,
    ...subscriptionStart(plan),
    trialEnd,
    defaultPaymentMethod: payment.paymentMethod.id,
    paymentBehavior: 'error_if_incomplete',
  });
  session.subscription = subscription.id;
  session.invoice = subscription.latest_invoice ? String(subscription.latest_invoice) : null;
  finishSession(rt, session, subscription.status === 'trialing' ? 'no_payment_required' : 'paid');
  return { kind: 'completed' };
}

/**
 * The customer paid on the hosted page (or through /v1/payment_pages/:id/confirm): create the
 * customer, the payment or the subscription, and complete the session. A decline leaves it open.
 */
export function completeCheckout(rt: StripeRuntime, session: Stripe.Checkout.Session, payment: CheckoutPayment): CheckoutOutcome {
  if (session.status !== 'open') throw stripeErrors.invalidRequest(`This Checkout Session is ${session.status ?? 'no longer open'}.`, undefined, 'checkout_session_not_open');
  try {
    const customer = customerFor(rt, session, payment);
    if (customer) {
      // A bank redirect is not saved itself: the SEPA Direct Debit generated from it is.
      if (!isBankRedirect(payment.paymentMethod.type)) attachPaymentMethod(rt, payment.paymentMethod, customer.id);
      session.customer = customer.id;
    }
    session.customer_details = details(customer, session, payment);
    if (session.mode === 'subscription') return subscribe(rt, session, customer!, payment);
    return payOnce(rt, session, customer, payment);
  } catch (error) {
    if (error instanceof StripeApiError && error.body.type === 'card_error') return { kind: 'declined', error };
    throw error;
  }
}

/**
 * Sessions follow their payment (payment mode, and a subscription's first invoice paid under a
 * mandate): completed when paid or processing, then the async outcome of a SEPA debit.
 */
export function followCheckoutPayment(rt: StripeRuntime, intent: Stripe.PaymentIntent): void {
  const sessionId = rt.state.paymentPurpose.get(intent.id)?.checkoutSession;
  const session = sessionId ? rt.state.checkoutSessions.get(sessionId) : undefined;
  if (!session) return;
  const paid = intent.status === 'succeeded' || intent.status === 'requires_capture';
  if (session.status === 'open') {
    if (paid) finishSession(rt, session, 'paid');
    else if (intent.status === 'processing') finishSession(rt, session, 'unpaid');
    return;
  }
  if (session.status !== 'complete' || session.payment_status !== 'unpaid') return;
  if (paid) {
    session.payment_status = 'paid';
    rt.events.record('checkout.session.async_payment_succeeded', session);
  } else if (intent.status === 'requires_payment_method') {
    rt.events.record('checkout.session.async_payment_failed', session);
  }
}
