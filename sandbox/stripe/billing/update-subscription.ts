import type Stripe from 'stripe';
import { previousAttributes } from '../events/previous-attributes.ts';
import { attachPaymentMethod, resolvePaymentMethod } from '../payments/payment-methods.ts';
import type { StripeRuntime } from '../runtime.ts';
import type { Params } from '../wire/form-body.ts';
import { anchorChoice, has, mergeMetadata, nullableString, optionalArray, optionalBool, optionalEnum, optionalInt, optionalObject, optionalString, optionalTimestampOrNow } from '../wire/params.ts';
import { stripeErrors } from '../wire/stripe-error.ts';
import { nextBoundary } from './calendar.ts';
import { createProrations } from './prorate.ts';
import { applySaveDefaultPaymentMethod } from './save-default-payment-method.ts';
import { endTrial, sendTrialWillEnd } from './renew-subscription.ts';
import { invoiceSubscription, periodLines } from './subscription-invoices.ts';
import { buildItem, cancellationDetails, cycleOf, periodOf, planOf, requireRecurring, setPeriod } from './subscription-object.ts';

export function applyItems(rt: StripeRuntime, subscription: Stripe.Subscription, entries: unknown[], now: number): void {
  const period = periodOf(subscription);
  entries.forEach((raw, index) => {
    const entry = (raw ?? {}) as Params;
    const id = optionalString(entry, 'id');
    const priceId = optionalString(entry, 'price') ?? optionalString(entry, 'plan');
    const price = priceId ? requireRecurring(rt.state.prices.require(priceId, `items[${index}][price]`), `items[${index}][price]`) : undefined;
    const quantity = optionalInt(entry, 'quantity', { min: 0 });
    if (!id) {
      if (!price) throw stripeErrors.missingParam(`items[${index}][price]`);
      subscription.items.data.push(buildItem(subscription.id, price, quantity ?? 1, period, now, mergeMetadata(null, entry)));
      return;
    }
    const item = subscription.items.data.find((candidate) => candidate.id === id);
    if (!item) throw stripeErrors.invalidRequest(`No such subscription item: '${id}'`, `items[${index}][id]`, 'resource_missing');
    if (optionalBool(entry, 'deleted')) {
      subscription.items.data = subscription.items.data.filter((candidate) => candidate.id !== id);
      return;
    }
    if (price) {
      item.price = structuredClone(price);
      item.plan = planOf(price);
    }
    if (quantity !== undefined) item.quantity = quantity;
    item.metadata = mergeMetadata(item.metadata, entry);
  });
  if (subscription.items.data.length === 0) throw stripeErrors.invalidRequest('A subscription must have at least one active plan.', 'items');
  const cycles = new Set(subscription.items.data.map((item) => `${item.price.recurring?.interval}/${item.price.recurring?.interval_count}`));
  if (cycles.size > 1) throw stripeErrors.invalidRequest('Currency and interval fields must match across all plans on this subscription.', 'items');
}

function applyCancellation(subscription: Stripe.Subscription, params: Params, now: number): void {
  const atPeriodEnd = optionalBool(params, 'cancel_at_period_end');
  const renewal = subscription.status === 'trialing' && subscription.trial_end !== null ? subscription.trial_end : periodOf(subscription).end;
  // cancel_at_period_end follows the period: a change that moves its end (a new interval, a new
  // trial end) moves the cancellation with it (unlike a cancel_at timestamp, which stays put).
  if (subscription.cancel_at_period_end && atPeriodEnd === undefined && !has(params, 'cancel_at')) subscription.cancel_at = renewal;
  if (atPeriodEnd !== undefined) {
    subscription.cancel_at_period_end = atPeriodEnd;
    subscription.cancel_at = atPeriodEnd ? renewal : null;
  }
  if (has(params, 'cancel_at')) {
    const periodEnd = params.cancel_at === 'min_period_end' || params.cancel_at === 'max_period_end';
    const at = params.cancel_at === '' ? null : periodEnd ? renewal : (optionalInt(params, 'cancel_at') ?? null);
    subscription.cancel_at = at;
    subscription.cancel_at_period_end = at !== null && at === renewal;
  }
  const cancelling = subscription.cancel_at !== null;
  subscription.canceled_at = cancelling ? (subscription.canceled_at ?? now) : null;
  const details = optionalObject(params, 'cancellation_details');
  subscription.cancellation_details = cancellationDetails(
    cancelling ? 'cancellation_requested' : null,
    details ? (nullableString(params, 'cancellation_details.comment') ?? subscription.cancellation_details?.comment ?? null) : (subscription.cancellation_details?.comment ?? null),
    (optionalString(params, 'cancellation_details.feedback') as Stripe.Subscription.CancellationDetails.Feedback | undefined) ?? subscription.cancellation_details?.feedback ?? null,
  );
}

/**
 * POST /v1/subscriptions/:id. A price change prorates (create_prorations: pending items for the
 * next invoice; always_invoice: invoiced now; none); a new interval or billing_cycle_anchor=now
 * starts a new period at once and invoices it.
 */
export function updateSubscription(rt: StripeRuntime, subscription: Stripe.Subscription, params: Params): void {
  if (subscription.status === 'canceled' || subscription.status === 'incomplete_expired') {
    throw stripeErrors.invalidRequest('A canceled subscription can only update its cancellation_details and metadata.', undefined, 'resource_missing');
  }
  const customer = String(subscription.customer);
  const now = rt.time.nowFor(customer);
  const proration = optionalEnum(params, 'proration_behavior', ['create_prorations', 'none', 'always_invoice'] as const) ?? 'create_prorations';
  const trialEnd = optionalTimestampOrNow(params, 'trial_end', now);
  // Prorations as of a previewed moment (invoices/create_preview), so the customer pays what was shown.
  const prorationDate = optionalInt(params, 'proration_date') ?? now;
  const before = structuredClone(subscription);
  const oldCycle = cycleOf(subscription);

  subscription.metadata = mergeMetadata(subscription.metadata, params);
  const description = nullableString(params, 'description');
  if (description !== undefined) subscription.description = description;
  const defaultMethod = nullableString(params, 'default_payment_method');
  if (defaultMethod === null) subscription.default_payment_method = null;
  else if (defaultMethod) subscription.default_payment_method = attachPaymentMethod(rt, resolvePaymentMethod(rt, defaultMethod, 'default_payment_method'), customer).id;
  applySaveDefaultPaymentMethod(subscription, params);
  if (has(params, 'pause_collection')) {
    const behavior = optionalEnum(params, 'pause_collection.behavior', ['keep_as_draft', 'mark_uncollectible', 'void'] as const);
    subscription.pause_collection = params.pause_collection === '' || !behavior ? null : { behavior, resumes_at: optionalInt(params, 'pause_collection.resumes_at') ?? null };
  }
  const items = optionalArray(params, 'items');
  if (items) applyItems(rt, subscription, items, now);
  const newCycle = cycleOf(subscription);
  const cycleChanged = newCycle.interval !== oldCycle.interval || newCycle.count !== oldCycle.count;
  const trialing = subscription.status === 'trialing';
  const restart = !trialing && (cycleChanged || anchorChoice(params, 'billing_cycle_anchor') === 'now');
  if (restart) {
    subscription.billing_cycle_anchor = now;
    setPeriod(subscription, now, nextBoundary(now, newCycle.interval, newCycle.count, now));
  }
  if (typeof trialEnd === 'number') {
    subscription.trial_start = trialing ? subscription.trial_start : now;
    subscription.trial_end = trialEnd;
    subscription.status = 'trialing';
    subscription.billing_cycle_anchor = trialEnd;
    setPeriod(subscription, periodOf(subscription).start, trialEnd);
  } else if (trialEnd === 'now' && trialing) {
    subscription.trial_end = now;
    setPeriod(subscription, periodOf(subscription).start, now);
  }
  applyCancellation(subscription, params, now);

  const previous = previousAttributes(before, subscription);
  if (previous) rt.events.record('customer.subscription.updated', subscription, previous);
  if (trialEnd === 'now' && trialing) {
    sendTrialWillEnd(rt, subscription);
    endTrial(rt, subscription);
    return;
  }
  const pricesChanged = items !== undefined && !trialing && proration !== 'none';
  const prorations = pricesChanged ? createProrations(rt, before, subscription, prorationDate, !restart) : [];
  if (restart) {
    const period = periodOf(subscription);
    invoiceSubscription(rt, subscription, { billingReason: 'subscription_update', invoicePeriod: { start: now, end: now }, lines: periodLines(rt, subscription, period), mode: 'charge', offSession: true });
  } else if (proration === 'always_invoice' && prorations.length > 0) {
    invoiceSubscription(rt, subscription, { billingReason: 'subscription_update', invoicePeriod: { start: now, end: now }, lines: [], mode: 'charge', offSession: true });
  }
}
