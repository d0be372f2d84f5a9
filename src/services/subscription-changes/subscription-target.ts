import { findSubscription, type SubscriptionRecord } from '../../db/repositories/subscription-repository.ts';
import { hasAdapter, providerName } from '../../domain/provider.ts';
import { conflict, notFound } from '../../shared/errors.ts';
import { requirePaymentProvider, type ConfiguredProvider } from '../require-payment-provider.ts';
import type { ServiceContext } from '../service-context.ts';

export type SubscriptionTarget = { subscription: SubscriptionRecord; provider: ConfiguredProvider };

/** The subscription a change is asked for: it exists (404), and recur has an adapter for the provider that bills it (409 otherwise). */
export async function findSubscriptionTarget(ctx: ServiceContext, subscriptionId: string): Promise<SubscriptionTarget> {
  const subscription = await findSubscription(ctx.db, subscriptionId);
  if (!subscription) throw notFound('subscription', subscriptionId);
  if (!hasAdapter(subscription.provider)) {
    const name = providerName(subscription.provider);
    throw conflict(`subscription "${subscriptionId}" is billed by ${subscription.provider}; recur has no ${name} integration yet (change it at ${name})`);
  }
  return { subscription, provider: requirePaymentProvider(ctx, subscription.provider) };
}

/** "The state it starts from" in idempotency keys: the version of the state recur holds. */
export const stateVersion = (subscription: SubscriptionRecord): number => subscription.providerUpdatedAt.getTime();
