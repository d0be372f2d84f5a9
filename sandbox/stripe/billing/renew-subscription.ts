import type Stripe from 'stripe';
import { updateWithEvent } from '../events/record-update.ts';
import type { StripeRuntime } from '../runtime.ts';
import { nextBoundary } from './calendar.ts';
import { endSubscription } from './end-subscription.ts';
import { buildInvoice } from './invoice-object.ts';
import { invoiceSubscription, periodLines, type CollectionMode } from './subscription-invoices.ts';
import { cycleOf, periodOf, setPeriod } from './subscription-object.ts';

const DAY = 86_400;
export const TRIAL_WILL_END_DAYS = 3;

export function hasPaymentMethod(rt: StripeRuntime, subscription: Stripe.Subscription): boolean {
  if (subscription.default_payment_method) return true;
  return Boolean(rt.state.customers.get(String(subscription.customer))?.invoice_settings.default_payment_method);
}

function nextPeriod(subscription: Stripe.Subscription, from: number): { start: number; end: number } {
  const { interval, count } = cycleOf(subscription);
  return { start: from, end: nextBoundary(subscription.billing_cycle_anchor, interval, count, from) };
}

function noticesOf(rt: StripeRuntime, subscription: Stripe.Subscription) {
  let notices = rt.state.notices.get(subscription.id);
  if (!notices) rt.state.notices.set(subscription.id, (notices = { trialWillEndFor: null, upcomingFor: null }));
  return notices;
}

/** Trial ends: charge the first period, or pause / cancel when no payment method is on file (trial_settings). */
export function endTrial(rt: StripeRuntime, subscription: Stripe.Subscription): void {
  const trialEnd = subscription.trial_end ?? periodOf(subscription).end;
  const missing = subscription.trial_settings?.end_behavior.missing_payment_method ?? 'create_invoice';
  if (!hasPaymentMethod(rt, subscription) && missing === 'pause') {
    updateWithEvent(rt, 'customer.subscription.updated', subscription, (s) => (s.status = 'paused'));
    rt.events.record('customer.subscription.paused', subscription);
    return;
  }
  if (!hasPaymentMethod(rt, subscription) && missing === 'cancel') {
    endSubscription(rt, subscription, 'canceled', 'cancellation_requested');
    return;
  }
  const period = nextPeriod(subscription, trialEnd);
  updateWithEvent(rt, 'customer.subscription.updated', subscription, (s) => {
    s.status = 'active';
    setPeriod(s, period.start, period.end);
  });
  invoiceSubscription(rt, subscription, { billingReason: 'subscription_cycle', invoicePeriod: { start: trialEnd, end: trialEnd }, lines: periodLines(rt, subscription, period), mode: 'charge', offSession: true });
}

/** Period end: the next period starts and its invoice is created and collected. */
export function renewSubscription(rt: StripeRuntime, subscription: Stripe.Subscription): void {
  if (subscription.status === 'trialing') return endTrial(rt, subscription);
  const previous = periodOf(subscription);
  const period = nextPeriod(subscription, previous.end);
  updateWithEvent(rt, 'customer.subscription.updated', subscription, (s) => setPeriod(s, period.start, period.end));
  // Stripe keeps creating invoices for an unpaid subscription, but leaves them as drafts.
  const mode: CollectionMode = subscription.status === 'unpaid' ? 'draft' : ((subscription.pause_collection?.behavior as CollectionMode | undefined) ?? 'charge');
  invoiceSubscription(rt, subscription, { billingReason: 'subscription_cycle', invoicePeriod: previous, lines: periodLines(rt, subscription, period), mode, offSession: true });
}

export function sendTrialWillEnd(rt: StripeRuntime, subscription: Stripe.Subscription): void {
  noticesOf(rt, subscription).trialWillEndFor = subscription.trial_end;
  rt.events.record('customer.subscription.trial_will_end', subscription);
}

/** `invoice.upcoming`: a preview of the next invoice, not stored (it has no usable id). */
export function sendUpcoming(rt: StripeRuntime, subscription: Stripe.Subscription): void {
  const renewal = subscription.status === 'trialing' && subscription.trial_end !== null ? subscription.trial_end : periodOf(subscription).end;
  noticesOf(rt, subscription).upcomingFor = renewal;
  const customer = rt.state.customers.require(String(subscription.customer));
  const preview = buildInvoice(
    rt,
    {
      customer,
      currency: subscription.currency,
      subscription,
      billingReason: 'upcoming',
      collectionMethod: subscription.collection_method,
      daysUntilDue: subscription.days_until_due,
      description: null,
      metadata: {},
      autoAdvance: true,
      periodStart: periodOf(subscription).start,
      periodEnd: renewal,
      defaultPaymentMethod: null,
      lines: periodLines(rt, subscription, nextPeriod(subscription, renewal)),
    },
    true,
  );
  rt.events.record('invoice.upcoming', preview);
}

/** `subject`: whose action it is; the engine runs one action per subject per round. */
export type SubscriptionAction = { at: number; rank: number; subject: string; run: () => void };

/** What a subscription has to do next, and when; the billing engine runs these in time order. */
export function subscriptionActions(rt: StripeRuntime, subscription: Stripe.Subscription): SubscriptionAction[] {
  if (!['trialing', 'active', 'past_due', 'unpaid'].includes(subscription.status)) return [];
  const notices = noticesOf(rt, subscription);
  const period = periodOf(subscription);
  const renewal = subscription.status === 'trialing' && subscription.trial_end !== null ? subscription.trial_end : period.end;
  const actions: SubscriptionAction[] = [];
  if (subscription.status === 'trialing' && subscription.trial_end !== null && notices.trialWillEndFor !== subscription.trial_end) {
    const at = Math.max(subscription.trial_end - TRIAL_WILL_END_DAYS * DAY, subscription.trial_start ?? subscription.created);
    actions.push({ at, rank: 0, subject: subscription.id, run: () => sendTrialWillEnd(rt, subscription) });
  }
  const ending = subscription.cancel_at !== null && subscription.cancel_at <= renewal;
  const days = rt.settings.upcomingInvoiceDays;
  if (days > 0 && !ending && subscription.status !== 'unpaid' && !subscription.pause_collection && notices.upcomingFor !== renewal) {
    const at = renewal - days * DAY;
    if (at > period.start) actions.push({ at, rank: 1, subject: subscription.id, run: () => sendUpcoming(rt, subscription) });
  }
  const resumesAt = subscription.pause_collection?.resumes_at;
  if (resumesAt && resumesAt <= renewal) {
    actions.push({ at: resumesAt, rank: 2, subject: subscription.id, run: () => void updateWithEvent(rt, 'customer.subscription.updated', subscription, (s) => (s.pause_collection = null)) });
  }
  if (ending) {
    actions.push({ at: subscription.cancel_at!, rank: 3, subject: subscription.id, run: () => endSubscription(rt, subscription, 'canceled', subscription.cancellation_details?.reason ?? 'cancellation_requested') });
  } else {
    actions.push({ at: renewal, rank: 4, subject: subscription.id, run: () => renewSubscription(rt, subscription) });
  }
  return actions;
}
