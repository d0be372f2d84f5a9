import type Stripe from 'stripe';
import { startSubscription } from '../billing/create-subscription.ts';
import { confirmPaymentIntent, createPaymentIntent } from '../payments/payment-intents.ts';
import { attachPaymentMethod, testCardOf } from '../payments/payment-methods.ts';
import { createCustomer } from '../resources/customers.ts';
import type { StripeRuntime } from '../runtime.ts';
import { StripeApiError, stripeErrors } from '../wire/stripe-error.ts';

export type CheckoutOutcome = { kind: 'completed' } | { kind: 'declined'; error: StripeApiError } | { kind: 'requires_action' };

export type CheckoutPayment = { paymentMethod: Stripe.PaymentMethod; email?: string | undefined; name?: string | undefined; authenticated?: boolean };

function finish(rt: StripeRuntime, session: Stripe.Checkout.Session, paymentStatus: Stripe.Checkout.Session.PaymentStatus): void {
  session.status = 'complete';
  session.payment_status = paymentStatus;
  session.url = null;
  rt.events.record('checkout.session.completed', session);
}

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
  const error = confirmPaymentIntent(rt, intent, { offSession: false, authenticated: payment.authenticated ?? false });
  if (error) return { kind: 'declined', error };
  return intent.status === 'requires_action' ? { kind: 'requires_action' } : { kind: 'completed' };
}

function subscribe(rt: StripeRuntime, session: Stripe.Checkout.Session, customer: Stripe.Customer, payment: CheckoutPayment): CheckoutOutcome {
  const plan = rt.state.checkoutPlans.get(session.id)!;
  const now = rt.time.nowFor(customer.id);
  const trialDays = plan.subscriptionData.trialPeriodDays;
  const trialEnd = plan.subscriptionData.trialEnd ?? (trialDays ? now + trialDays * 86_400 : null);
  if (!trialEnd && testCardOf(payment.paymentMethod)?.authentication === 'always' && !payment.authenticated) return { kind: 'requires_action' };
  // The customer authenticated on the page: that covers the first payment, not later renewals.
  if (payment.authenticated) rt.state.authenticatedOnce.add(payment.paymentMethod.id);
  const subscription = startSubscription(rt, {
    customer,
    items: plan.lineItems.map((item) => ({ price: item.price as Stripe.Price & { recurring: Stripe.Price.Recurring }, quantity: item.quantity ?? 1, metadata: {} })),
    trialEnd,
    defaultPaymentMethod: payment.paymentMethod.id,
    paymentBehavior: 'error_if_incomplete',
    collectionMethod: 'charge_automatically',
    daysUntilDue: null,
    description: plan.subscriptionData.description ?? null,
    metadata: plan.subscriptionData.metadata,
    missingPaymentMethod: 'create_invoice',
    anchor: null,
    cancelAtPeriodEnd: false,
  });
  session.subscription = subscription.id;
  session.invoice = subscription.latest_invoice ? String(subscription.latest_invoice) : null;
  finish(rt, session, subscription.status === 'trialing' ? 'no_payment_required' : 'paid');
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
      attachPaymentMethod(rt, payment.paymentMethod, customer.id);
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

/** Payment-mode sessions follow their payment: completed when paid or processing, then the async outcome of SEPA. */
export function followCheckoutPayment(rt: StripeRuntime, intent: Stripe.PaymentIntent): void {
  const sessionId = rt.state.paymentPurpose.get(intent.id)?.checkoutSession;
  const session = sessionId ? rt.state.checkoutSessions.get(sessionId) : undefined;
  if (!session) return;
  const paid = intent.status === 'succeeded' || intent.status === 'requires_capture';
  if (session.status === 'open') {
    if (paid) finish(rt, session, 'paid');
    else if (intent.status === 'processing') finish(rt, session, 'unpaid');
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
