import type { SubscriptionRecord } from '../../db/repositories/subscription-repository.ts';
import { conflict } from '../../shared/errors.ts';
import type { Actor, ServiceContext } from '../service-context.ts';
import { recordSubscriptionChange } from './record-subscription-change.ts';
import { findSubscriptionTarget, stateVersion } from './subscription-target.ts';

/** Undoes a pending cancel at period end, or resumes a paused subscription (a new period starts now). */
export async function resumeSubscription(ctx: ServiceContext, subscriptionId: string, actor: Actor): Promise<SubscriptionRecord> {
  const { subscription, provider } = await findSubscriptionTarget(ctx, subscriptionId);
  const paused = subscription.status === 'paused';
  const pendingCancel = subscription.cancelAtPeriodEnd && subscription.status !== 'canceled';
  if (!paused && !pendingCancel) throw conflict(`subscription "${subscription.id}" is ${subscription.status} and not set to cancel: there is nothing to resume`);
  const idempotencyKey = `recur:resume:${subscription.id}:${paused ? 'paused' : 'cancel'}:v${stateVersion(subscription)}`;
  const changed = await provider.gateway.resumeSubscription(subscription.providerSubscriptionId, paused, idempotencyKey);
  return recordSubscriptionChange(
    ctx,
    { provider, customerId: subscription.customerId, change: changed, action: 'resumed', details: { from: paused ? 'paused' : 'cancel_at_period_end' } },
    actor,
  );
}
