import type Stripe from 'stripe';
import type { StripeRuntime } from '../runtime.ts';
import { cancellationDetails } from './subscription-object.ts';

/**
 * Ends a subscription now: canceled (by request, at period end, after failed payments) or
 * incomplete_expired (first invoice never paid). Either way Stripe sends
 * `customer.subscription.deleted`.
 */
export function endSubscription(
  rt: StripeRuntime,
  subscription: Stripe.Subscription,
  status: 'canceled' | 'incomplete_expired',
  reason: Stripe.Subscription.CancellationDetails.Reason,
): void {
  const now = rt.time.nowFor(String(subscription.customer));
  subscription.status = status;
  subscription.ended_at = now;
  subscription.canceled_at ??= now;
  subscription.cancellation_details = cancellationDetails(reason, subscription.cancellation_details?.comment ?? null, subscription.cancellation_details?.feedback ?? null);
  rt.events.record('customer.subscription.deleted', subscription);
}
