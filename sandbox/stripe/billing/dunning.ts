import type Stripe from 'stripe';
import { updateWithEvent } from '../events/record-update.ts';
import type { StripeRuntime } from '../runtime.ts';
import { subscriptionIdOf, type StoredInvoice } from '../state/stripe-state.ts';
import { endSubscription } from './end-subscription.ts';

const DAY = 86_400;

function subscriptionOf(rt: StripeRuntime, invoice: StoredInvoice): Stripe.Subscription | undefined {
  const subscriptionId = subscriptionIdOf(invoice);
  return subscriptionId ? rt.state.subscriptions.get(subscriptionId) : undefined;
}

function setStatus(rt: StripeRuntime, subscription: Stripe.Subscription, status: Stripe.Subscription.Status): void {
  updateWithEvent(rt, 'customer.subscription.updated', subscription, (s) => (s.status = status));
}

/** Renewal invoices are retried on the configured schedule; a first invoice is not (it expires instead). */
function isRetried(invoice: StoredInvoice): boolean {
  return invoice.billing_reason !== 'subscription_create' && invoice.collection_method === 'charge_automatically' && invoice.auto_advance === true;
}

/**
 * An attempt left the invoice unpaid: schedule the next retry (days after this attempt), record
 * the event (it carries that next attempt), put the subscription past_due, and after the last
 * retry move it to the configured end state.
 */
function followRetrySchedule(rt: StripeRuntime, invoice: StoredInvoice, event: 'invoice.payment_failed' | 'invoice.payment_action_required'): void {
  const now = rt.time.nowFor(String(invoice.customer));
  const subscription = subscriptionOf(rt, invoice);
  const retried = isRetried(invoice) && subscription !== undefined;
  const delayDays = retried ? rt.settings.retryScheduleDays[invoice.attempt_count - 1] : undefined;
  invoice.next_payment_attempt = delayDays === undefined ? null : now + delayDays * DAY;
  rt.events.record(event, invoice);
  if (!subscription || !retried) return;
  if (delayDays !== undefined) {
    if (subscription.status === 'active' || subscription.status === 'trialing') setStatus(rt, subscription, 'past_due');
    return;
  }
  const end = rt.settings.afterFinalFailure;
  if (end === 'canceled') endSubscription(rt, subscription, 'canceled', 'payment_failed');
  else if (subscription.status !== end) setStatus(rt, subscription, end);
}

export function invoicePaymentFailed(rt: StripeRuntime, invoice: StoredInvoice): void {
  followRetrySchedule(rt, invoice, 'invoice.payment_failed');
}

/** Paid: a new subscription becomes active, a past_due or unpaid one recovers once nothing is owed. */
export function invoicePaymentSucceeded(rt: StripeRuntime, invoice: StoredInvoice): void {
  const subscription = subscriptionOf(rt, invoice);
  if (!subscription) return;
  if (subscription.status === 'incomplete') {
    setStatus(rt, subscription, 'active');
    return;
  }
  if (subscription.status !== 'past_due' && subscription.status !== 'unpaid') return;
  const owing = rt.state.invoices.filter((other) => subscriptionIdOf(other) === subscription.id && other.status === 'open' && other.amount_remaining > 0);
  if (owing.length === 0) setStatus(rt, subscription, 'active');
}

/**
 * 3D Secure needed off-session: the customer must come back and authenticate (on the hosted
 * invoice page). Stripe keeps retrying on the schedule meanwhile; each off-session retry of such
 * a card asks for authentication again, and the last one ends the subscription as settings say.
 */
export function invoiceActionRequired(rt: StripeRuntime, invoice: StoredInvoice): void {
  followRetrySchedule(rt, invoice, 'invoice.payment_action_required');
}
