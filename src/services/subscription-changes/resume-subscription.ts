import type { SubscriptionRecord } from '../../db/repositories/subscription-repository.ts';
import { isEndedAtProvider } from '../../domain/subscription-status.ts';
import { conflict } from '../../shared/errors.ts';
import type { Actor, ServiceContext } from '../service-context.ts';
import { undoScheduledCancelByRecur } from './cancel-by-recur.ts';
import { recordSubscriptionChange } from './record-subscription-change.ts';
import { findSubscriptionTarget, stateVersion } from './subscription-target.ts';

/** Undoes a pending cancel at period end, or resumes a paused subscription (a new period starts now). */
export async function resumeSubscription(ctx: ServiceContext, subscriptionId: string, actor: Actor): Promise<SubscriptionRecord> {
  const { subscription, provider } = await findSubscriptionTarget(ctx, subscriptionId);
  if (subscription.scheduledCancel) {
    // recur's own cancel at period end: undone in recur alone, until the job cancelled at the provider.
    // Cancelled at the provider (recur shows it running until its paid period ends): nothing to undo.
    if (subscription.status === 'canceled' || isEndedAtProvider(subscription.provider, subscription.providerStatus)) {
      throw conflict(`subscription "${subscription.id}" was canceled at ${provider.name} to end with its period (${subscription.scheduledCancel.at.toISOString()}) and cannot be resumed; subscribe again instead`);
    }
    return undoScheduledCancelByRecur(ctx, subscription, provider, actor);
  }
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
