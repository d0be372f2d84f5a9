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
 * A payment attempt failed: schedule the next retry (days after this attempt), put the
 * subscription past_due, and after the last retry move it to the configured end state.
 */
export function invoicePaymentFailed(rt: StripeRuntime, invoice: StoredInvoice): void {
  const now = rt.time.nowFor(String(invoice.customer));
  const subscription = subscriptionOf(rt, invoice);
  const retried = isRetried(invoice) && subscription !== undefined;
  const delayDays = retried ? rt.settings.retryScheduleDays[invoice.attempt_count - 1] : undefined;
  invoice.next_payment_attempt = delayDays === undefined ? null : now + delayDays * DAY;
  rt.events.record('invoice.payment_failed', invoice);
  if (!subscription || !retried) return;
  if (delayDays !== undefined) {
    if (subscription.status === 'active' || subscription.status === 'trialing') setStatus(rt, subscription, 'past_due');
    return;
  }
  const end = rt.settings.afterFinalFailure;
  if (end === 'canceled') endSubscription(rt, subscription, 'canceled', 'payment_failed');
  else if (subscription.status !== end) setStatus(rt, subscription, end);
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

/** 3D Secure needed off-session: the customer must come back and authenticate. */
export function invoiceActionRequired(rt: StripeRuntime, invoice: StoredInvoice): void {
  invoice.next_payment_attempt = null;
  rt.events.record('invoice.payment_action_required', invoice);
  const subscription = subscriptionOf(rt, invoice);
  if (subscription && (subscription.status === 'active' || subscription.status === 'trialing')) setStatus(rt, subscription, 'past_due');
}
