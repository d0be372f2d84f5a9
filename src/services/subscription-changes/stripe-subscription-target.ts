import { findSubscription, type SubscriptionRecord } from '../../db/repositories/subscription-repository.ts';
import { conflict, notFound } from '../../shared/errors.ts';
import { requireStripe } from '../checkout/require-stripe.ts';
import type { ServiceContext } from '../service-context.ts';

export type StripeSubscriptionTarget = { subscription: SubscriptionRecord; stripe: NonNullable<ServiceContext['stripe']> };

/** The subscription a change is asked for: it exists (404) and Stripe bills it (409 otherwise). */
export async function findStripeSubscriptionTarget(ctx: ServiceContext, subscriptionId: string): Promise<StripeSubscriptionTarget> {
  const subscription = await findSubscription(ctx.db, subscriptionId);
  if (!subscription) throw notFound('subscription', subscriptionId);
  if (subscription.provider !== 'stripe') {
    throw conflict(`subscription "${subscriptionId}" is billed by ${subscription.provider}; recur changes only Stripe subscriptions so far (change it at ${subscription.provider})`);
  }
  return { subscription, stripe: requireStripe(ctx) };
}

/** "The state it starts from" in idempotency keys: the version of the state recur holds. */
export const stateVersion = (subscription: SubscriptionRecord): number => subscription.providerUpdatedAt.getTime();
