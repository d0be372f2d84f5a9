import type Stripe from 'stripe';
import { nextBoundary } from '../billing/calendar.ts';
import { startSubscription, subscriptionRequest } from '../billing/create-subscription.ts';
import { endSubscription } from '../billing/end-subscription.ts';
import { invoiceSubscription, periodLines } from '../billing/subscription-invoices.ts';
import { cancellationDetails, cycleOf, periodOf, setPeriod } from '../billing/subscription-object.ts';
import { applySaveDefaultPaymentMethod } from '../billing/save-default-payment-method.ts';
import { updateSubscription } from '../billing/update-subscription.ts';
import { updateWithEvent } from '../events/record-update.ts';
import type { StripeRuntime } from '../runtime.ts';
import { CREATED_RANGE, PAGINATION, type SpecOf } from '../wire/accepted-params.ts';
import { declareRoutes, type RouteTable } from '../wire/api-routes.ts';
import type { Params } from '../wire/form-body.ts';
import { listPage, matchesRange, newestFirst } from '../wire/list.ts';
import { anchorChoice, optionalEnum, optionalObject, optionalString, requireString } from '../wire/params.ts';
import { stripeErrors } from '../wire/stripe-error.ts';

const STATUSES = ['active', 'all', 'canceled', 'ended', 'incomplete', 'incomplete_expired', 'past_due', 'paused', 'trialing', 'unpaid'] as const;

function statusMatches(subscription: Stripe.Subscription, filter: (typeof STATUSES)[number] | undefined): boolean {
  if (filter === 'all') return true;
  if (filter === 'ended') return subscription.status === 'canceled' || subscription.status === 'incomplete_expired';
  if (filter) return subscription.status === filter;
  return subscription.status !== 'canceled' && subscription.status !== 'incomplete_expired';
}

/** DELETE /v1/subscriptions/:id: ends it now (Stripe's cancel). */
function cancelNow(rt: StripeRuntime, subscription: Stripe.Subscription, params: Params): Stripe.Subscription {
  if (subscription.status === 'canceled' || subscription.status === 'incomplete_expired') {
    throw stripeErrors.invalidRequest(`No such subscription: '${subscription.id}'`, 'id', 'resource_missing');
  }
  const details = optionalObject(params, 'cancellation_details');
  if (details) {
    subscription.cancellation_details = cancellationDetails(
      'cancellation_requested',
      optionalString(params, 'cancellation_details.comment') ?? null,
      (optionalString(params, 'cancellation_details.feedback') as Stripe.Subscription.CancellationDetails.Feedback | undefined) ?? null,
    );
  }
  endSubscription(rt, subscription, 'canceled', 'cancellation_requested');
  return subscription;
}

/** POST /v1/subscriptions/:id/resume: a paused subscription starts a new period now and is invoiced. */
function resume(rt: StripeRuntime, subscription: Stripe.Subscription, params: Params): Stripe.Subscription {
  if (subscription.status !== 'paused') throw stripeErrors.invalidRequest('Only a paused subscription can be resumed.', undefined, 'subscription_not_paused');
  const now = rt.time.nowFor(String(subscription.customer));
  const keepAnchor = anchorChoice(params, 'billing_cycle_anchor') === 'unchanged';
  const { interval, count } = cycleOf(subscription);
  updateWithEvent(rt, 'customer.subscription.updated', subscription, (s) => {
    s.status = 'active';
    if (!keepAnchor) s.billing_cycle_anchor = now;
    setPeriod(s, now, nextBoundary(s.billing_cycle_anchor, interval, count, now));
  });
  rt.events.record('customer.subscription.resumed', subscription);
  invoiceSubscription(rt, subscription, { billingReason: 'subscription_update', invoicePeriod: { start: now, end: now }, lines: periodLines(rt, subscription, periodOf(subscription)), mode: 'charge', offSession: true });
  return subscription;
}

/** What each route accepts (besides `expand`); anything else is answered 400 `parameter_unknown`. */
const CANCELLATION_DETAILS = { comment: true, feedback: true } as const;
const ACCEPTS = {
  'POST /subscriptions': {
    billing_cycle_anchor: true,
    cancel_at_period_end: true,
    collection_method: true,
    customer: true,
    days_until_due: true,
    default_payment_method: true,
    description: true,
    items: { metadata: true, plan: true, price: true, quantity: true },
    metadata: true,
    payment_behavior: true,
    payment_settings: { save_default_payment_method: true },
    trial_end: true,
    trial_from_plan: true,
    trial_period_days: true,
    trial_settings: { end_behavior: { missing_payment_method: true } },
  } satisfies SpecOf<Stripe.SubscriptionCreateParams>,
  'GET /subscriptions/:id': {} satisfies SpecOf<Stripe.SubscriptionRetrieveParams>,
  'POST /subscriptions/:id': {
    billing_cycle_anchor: true,
    cancel_at: true,
    cancel_at_period_end: true,
    cancellation_details: CANCELLATION_DETAILS,
    default_payment_method: true,
    description: true,
    items: { deleted: true, id: true, metadata: true, plan: true, price: true, quantity: true },
    metadata: true,
    pause_collection: { behavior: true, resumes_at: true },
    // Known to Stripe; the sandbox always behaves as allow_incomplete on an update.
    payment_behavior: true,
    payment_settings: { save_default_payment_method: true },
    proration_behavior: true,
    proration_date: true,
    trial_end: true,
  } satisfies SpecOf<Stripe.SubscriptionUpdateParams>,
  'DELETE /subscriptions/:id': { cancellation_details: CANCELLATION_DETAILS } satisfies SpecOf<Stripe.SubscriptionCancelParams>,
  'POST /subscriptions/:id/resume': { billing_cycle_anchor: true } satisfies SpecOf<Stripe.SubscriptionResumeParams>,
  'GET /subscriptions': { ...PAGINATION, ...CREATED_RANGE, customer: true, price: true, status: true, test_clock: true } satisfies SpecOf<Stripe.SubscriptionListParams>,
  'GET /subscription_items': { ...PAGINATION, subscription: true } satisfies SpecOf<Stripe.SubscriptionItemListParams>,
};

export function subscriptionRoutes(rt: StripeRuntime): RouteTable {
  const { state } = rt;
  return declareRoutes(ACCEPTS, {
    'POST /subscriptions': ({ params }) => {
      const request = subscriptionRequest(rt, params);
      // Set before the first invoice is paid: a card the customer pays it with on the hosted page is saved as Stripe would.
      return startSubscription(rt, request, (subscription) => applySaveDefaultPaymentMethod(subscription, params));
    },
    'GET /subscriptions/:id': ({ path }) => state.subscriptions.require(path.id!),
    'POST /subscriptions/:id': ({ path, params }) => {
      const subscription = state.subscriptions.require(path.id!);
      updateSubscription(rt, subscription, params);
      return subscription;
    },
    'DELETE /subscriptions/:id': ({ path, params }) => cancelNow(rt, state.subscriptions.require(path.id!), params),
    'POST /subscriptions/:id/resume': ({ path, params }) => resume(rt, state.subscriptions.require(path.id!), params),
    'GET /subscriptions': ({ params }) => {
      const customer = optionalString(params, 'customer');
      const price = optionalString(params, 'price');
      const testClock = optionalString(params, 'test_clock');
      const status = optionalEnum(params, 'status', STATUSES);
      const items = state.subscriptions.filter(
        (s) =>
          statusMatches(s, status) &&
          (!customer || s.customer === customer) &&
          (!testClock || s.test_clock === testClock) &&
          (!price || s.items.data.some((item) => item.price.id === price)) &&
          matchesRange(s.created, params.created),
      );
      return listPage(newestFirst(items), params, '/v1/subscriptions');
    },
    'GET /subscription_items': ({ params }) => {
      const subscription = state.subscriptions.require(requireString(params, 'subscription'), 'subscription');
      return listPage(subscription.items.data, params, `/v1/subscription_items?subscription=${subscription.id}`);
    },
  });
}
