import type Stripe from 'stripe';
import { attachPaymentMethod, cardErrorFor, resolvePaymentMethod, testCardOf } from '../payments/payment-methods.ts';
import type { StripeRuntime } from '../runtime.ts';
import { newId } from '../state/ids.ts';
import type { Params } from '../wire/form-body.ts';
import { mergeMetadata, optionalArray, optionalBool, optionalEnum, optionalInt, optionalString, optionalTimestampOrNow, requireString } from '../wire/params.ts';
import { stripeErrors } from '../wire/stripe-error.ts';
import { asInterval, nextBoundary } from './calendar.ts';
import { endSubscription } from './end-subscription.ts';
import { invoiceSubscription, periodLines } from './subscription-invoices.ts';
import { buildItem, buildSubscription, cancellationDetails, requireRecurring } from './subscription-object.ts';

const DAY = 86_400;

type ItemRequest = { price: Stripe.Price & { recurring: Stripe.Price.Recurring }; quantity: number; metadata: Record<string, string> };

export function itemRequests(rt: StripeRuntime, params: Params): ItemRequest[] {
  const items = optionalArray(params, 'items') ?? [];
  if (items.length === 0) throw stripeErrors.missingParam('items');
  return items.map((raw, index) => {
    const item = (raw ?? {}) as Params;
    const priceId = optionalString(item, 'price') ?? optionalString(item, 'plan');
    if (!priceId) throw stripeErrors.missingParam(`items[${index}][price]`);
    const price = requireRecurring(rt.state.prices.require(priceId, `items[${index}][price]`), `items[${index}][price]`);
    return { price, quantity: optionalInt(item, 'quantity', { min: 0 }) ?? 1, metadata: mergeMetadata(null, item) };
  });
}

export type SubscriptionRequest = {
  customer: Stripe.Customer;
  items: ItemRequest[];
  trialEnd: number | null;
  defaultPaymentMethod: string | null;
  paymentBehavior: 'allow_incomplete' | 'default_incomplete' | 'error_if_incomplete' | 'pending_if_incomplete';
  collectionMethod: Stripe.Subscription.CollectionMethod;
  daysUntilDue: number | null;
  description: string | null;
  metadata: Record<string, string>;
  missingPaymentMethod: Stripe.Subscription.TrialSettings.EndBehavior.MissingPaymentMethod;
  anchor: number | null;
  cancelAtPeriodEnd: boolean;
};

export function subscriptionRequest(rt: StripeRuntime, params: Params): SubscriptionRequest {
  const customer = rt.state.customers.require(requireString(params, 'customer'), 'customer');
  const now = rt.time.nowFor(customer.id);
  const items = itemRequests(rt, params);
  const trialEnd = optionalTimestampOrNow(params, 'trial_end', now);
  const trialDays = optionalInt(params, 'trial_period_days', { min: 0, max: 730 }) ?? (optionalBool(params, 'trial_from_plan') ? items[0]!.price.recurring.trial_period_days : null);
  const pm = optionalString(params, 'default_payment_method');
  let defaultPaymentMethod: string | null = null;
  if (pm) {
    // Lenient: a test token (pm_card_visa) is created and attached for the caller.
    const paymentMethod = resolvePaymentMethod(rt, pm, 'default_payment_method');
    attachPaymentMethod(rt, paymentMethod, customer.id);
    defaultPaymentMethod = paymentMethod.id;
  }
  return {
    customer,
    items,
    trialEnd: trialEnd === 'now' ? null : (trialEnd ?? (trialDays ? now + trialDays * DAY : null)),
    defaultPaymentMethod,
    paymentBehavior: optionalEnum(params, 'payment_behavior', ['allow_incomplete', 'default_incomplete', 'error_if_incomplete', 'pending_if_incomplete'] as const) ?? 'allow_incomplete',
    collectionMethod: optionalEnum(params, 'collection_method', ['charge_automatically', 'send_invoice'] as const) ?? 'charge_automatically',
    daysUntilDue: optionalInt(params, 'days_until_due', { min: 0 }) ?? null,
    description: optionalString(params, 'description') ?? null,
    metadata: mergeMetadata(null, params),
    missingPaymentMethod: optionalEnum(params, 'trial_settings.end_behavior.missing_payment_method', ['cancel', 'create_invoice', 'pause'] as const) ?? 'create_invoice',
    anchor: optionalInt(params, 'billing_cycle_anchor') ?? null,
    cancelAtPeriodEnd: optionalBool(params, 'cancel_at_period_end') ?? false,
  };
}

/** error_if_incomplete: a first payment that would fail fails the request, and nothing is created. */
function refuseIfFirstPaymentFails(rt: StripeRuntime, request: SubscriptionRequest): void {
  const pmId = request.defaultPaymentMethod ?? request.customer.invoice_settings.default_payment_method;
  const paymentMethod = pmId ? rt.state.paymentMethods.get(String(pmId)) : undefined;
  if (!paymentMethod) throw stripeErrors.invalidRequest('This customer has no attached payment source or default payment method.', undefined, 'resource_missing');
  const card = testCardOf(paymentMethod);
  if (card?.declines) throw cardErrorFor(card.declines);
  if (card?.authentication === 'always' && !rt.state.authenticatedOnce.has(paymentMethod.id)) throw cardErrorFor({ code: 'subscription_payment_intent_requires_action', message: 'Payment for this subscription requires additional user action before it can be completed successfully.' });
}

/**
 * Starts a subscription: trialing (with Stripe's $0 first invoice) or charged at once; a first
 * payment that fails leaves it `incomplete` (it expires after the configured hours).
 */
/** `configure` sets what the request carries beyond the shell (payment settings) before the created event and the first invoice. */
export function startSubscription(rt: StripeRuntime, request: SubscriptionRequest, configure?: (subscription: Stripe.Subscription) => void): Stripe.Subscription {
  const { customer } = request;
  const now = rt.time.nowFor(customer.id);
  if (!request.trialEnd && request.paymentBehavior === 'error_if_incomplete') refuseIfFirstPaymentFails(rt, request);
  const id = newId('sub');
  const first = request.items[0]!.price.recurring;
  const anchor = request.anchor ?? request.trialEnd ?? now;
  const periodEnd = request.trialEnd ?? nextBoundary(anchor, asInterval(first.interval), first.interval_count, now);
  const subscription = buildSubscription({
    id,
    customer,
    currency: request.items[0]!.price.currency,
    created: now,
    status: request.trialEnd ? 'trialing' : 'incomplete',
    anchor,
    trialStart: request.trialEnd ? now : null,
    trialEnd: request.trialEnd,
    collectionMethod: request.collectionMethod,
    daysUntilDue: request.daysUntilDue,
    defaultPaymentMethod: request.defaultPaymentMethod,
    description: request.description,
    metadata: request.metadata,
    missingPaymentMethod: request.missingPaymentMethod,
    items: request.items.map((item) => buildItem(id, item.price, item.quantity, { start: now, end: periodEnd }, now, item.metadata)),
  });
  configure?.(subscription);
  if (request.cancelAtPeriodEnd) {
    subscription.cancel_at_period_end = true;
    subscription.cancel_at = periodEnd;
    subscription.canceled_at = now;
    subscription.cancellation_details = cancellationDetails('cancellation_requested');
  }
  rt.state.subscriptions.add(subscription);
  if (customer.currency === null) customer.currency = subscription.currency;
  rt.events.record('customer.subscription.created', subscription);
  const trial = subscription.status === 'trialing';
  const defaultIncomplete = request.paymentBehavior === 'default_incomplete';
  invoiceSubscription(rt, subscription, {
    billingReason: 'subscription_create',
    invoicePeriod: { start: now, end: now },
    lines: periodLines(rt, subscription, { start: now, end: periodEnd }, trial),
    mode: defaultIncomplete && !trial ? 'open' : 'charge',
    offSession: false,
  });
  if (subscription.status === 'incomplete') {
    const expiresAt = now + rt.settings.incompleteExpiresHours * 3600;
    rt.state.addTimer(expiresAt, rt.time.clockOfCustomer(customer.id), 'expire_incomplete_subscription', { subscription: id });
  }
  return subscription;
}

/** Stripe gives a subscription's first invoice 23 hours (by default); then it voids it and the subscription expires. */
export function expireIncompleteSubscription(rt: StripeRuntime, subscription: Stripe.Subscription, expiresAt: number): void {
  if (subscription.status !== 'incomplete') return;
  const invoice = subscription.latest_invoice ? rt.state.invoices.get(String(subscription.latest_invoice)) : undefined;
  if (invoice?.status === 'open') {
    invoice.status = 'void';
    invoice.status_transitions.voided_at = expiresAt;
    rt.events.record('invoice.voided', invoice);
  }
  endSubscription(rt, subscription, 'incomplete_expired', 'payment_failed');
}
