import type { SubscriptionRecord } from '../../db/repositories/subscription-repository.ts';
import { conflict } from '../../shared/errors.ts';
import { requireCapability } from '../require-payment-provider.ts';
import type { Actor, ServiceContext } from '../service-context.ts';
import { recordSubscriptionChange } from './record-subscription-change.ts';
import { findSubscriptionTarget, stateVersion } from './subscription-target.ts';

export type CancelAt = 'period_end' | 'now';

/** Cancels at the end of the paid period (the default: the customer keeps what they paid for) or at once. */
export async function cancelSubscription(ctx: ServiceContext, input: { subscriptionId: string; at: CancelAt }, actor: Actor): Promise<SubscriptionRecord> {
  const { subscription, provider } = await findSubscriptionTarget(ctx, input.subscriptionId);
  if (subscription.status === 'canceled') throw conflict(`subscription "${subscription.id}" is already canceled`);
  if (input.at === 'period_end') requireCapability(provider, 'cancelAtPeriodEnd');
  if (input.at === 'period_end' && subscription.cancelAtPeriodEnd) throw conflict(`subscription "${subscription.id}" is already set to cancel at the end of its period`);
  const idempotencyKey = `recur:cancel:${subscription.id}:${input.at}:v${stateVersion(subscription)}`;
  const changed =
    input.at === 'now'
      ? await provider.gateway.cancelNow(subscription.providerSubscriptionId, idempotencyKey)
      : await provider.gateway.cancelAtPeriodEnd(subscription.providerSubscriptionId, idempotencyKey);
  return recordSubscriptionChange(
    ctx,
    { provider, customerId: subscription.customerId, change: changed, action: input.at === 'now' ? 'canceled' : 'cancel_scheduled', details: { at: input.at } },
    actor,
  );
}
