import type Stripe from 'stripe';
import { callStripe } from './stripe-errors.ts';

const ENDED: readonly Stripe.Subscription.Status[] = ['canceled', 'incomplete_expired'];

/**
 * `payment_settings.save_default_payment_method = on_subscription`: Stripe then makes the card
 * that pays an invoice on its hosted page the subscription's default. A Checkout Session cannot
 * set it (ADR 0042). Read first, so a subscription already set (or ended) costs no update and no
 * event; the idempotency key names the subscription, so a retried job updates once.
 */
export async function keepCardThatPays(stripe: Stripe, subscriptionId: string): Promise<void> {
  const subscription = await callStripe(`reading subscription ${subscriptionId}`, () => stripe.subscriptions.retrieve(subscriptionId));
  if (ENDED.includes(subscription.status) || subscription.payment_settings?.save_default_payment_method === 'on_subscription') return;
  await callStripe(`keeping the card that pays subscription ${subscriptionId}`, () =>
    stripe.subscriptions.update(subscriptionId, { payment_settings: { save_default_payment_method: 'on_subscription' } }, { idempotencyKey: `recur:keep-card-that-pays:${subscriptionId}` }),
  );
}
