import { restoreCancelByRecur, setCancelByRecurAside } from '../../db/repositories/scheduled-cancel-repository.ts';
import type { SubscriptionRecord } from '../../db/repositories/subscription-repository.ts';
import { isEndedAtProvider } from '../../domain/subscription-status.ts';
import { conflict } from '../../shared/errors.ts';
import type { ConfiguredProvider } from '../require-payment-provider.ts';
import type { Actor, ServiceContext } from '../service-context.ts';
import { scheduleCancelByRecur } from './cancel-by-recur.ts';
import { recordSubscriptionChange } from './record-subscription-change.ts';
import { findSubscriptionTarget, stateVersion } from './subscription-target.ts';

export type CancelAt = 'period_end' | 'now';

/**
 * Cancels at the end of the paid period (the default: the customer keeps what they paid for) or at
 * once. At period end, the provider keeps the cancel itself, or (`cancelAtPeriodEnd: 'recur'`, a
 * provider that cancels only at once) recur records it, cancels at the provider at once, and keeps
 * the subscription running in recur until the period's end.
 */
export async function cancelSubscription(ctx: ServiceContext, input: { subscriptionId: string; at: CancelAt }, actor: Actor): Promise<SubscriptionRecord> {
  const { subscription, provider } = await findSubscriptionTarget(ctx, input.subscriptionId);
  if (subscription.status === 'canceled') throw conflict(`subscription "${subscription.id}" is already canceled`);
  const held = subscription.scheduledCancel;
  if (held && isEndedAtProvider(subscription.provider, subscription.providerStatus)) {
    if (input.at === 'now') return endNowWhatTheProviderEnded(ctx, subscription, provider, actor);
    throw conflict(`subscription "${subscription.id}" is already canceled at ${provider.name}; it ends with its paid period (${held.at.toISOString()})`);
  }
  if (input.at === 'period_end' && subscription.cancelAtPeriodEnd) throw conflict(`subscription "${subscription.id}" is already set to cancel at the end of its period`);
  if (input.at === 'period_end' && provider.capabilities.cancelAtPeriodEnd === 'recur') return scheduleCancelByRecur(ctx, subscription, provider, actor);
  const idempotencyKey = `recur:cancel:${subscription.id}:${input.at}:v${stateVersion(subscription)}`;
  const changed =
    input.at === 'now'
      ? await cancelNowSettingAsideRecurs(ctx, subscription, provider, idempotencyKey)
      : await provider.gateway.cancelAtPeriodEnd(subscription.providerSubscriptionId, idempotencyKey);
  return recordSubscriptionChange(
    ctx,
    { provider, customerId: subscription.customerId, change: changed, action: input.at === 'now' ? 'canceled' : 'cancel_scheduled', details: { at: input.at } },
    actor,
  );
}

/**
 * A cancel now of a subscription the provider already cancelled for recur's cancel at period end
 * (it only runs on in recur, until its paid period ends): nothing to ask the provider. The request
 * is set aside and the provider's answer, read again, is recorded as it is: canceled, at the time
 * the provider cancelled, so access ends now.
 */
async function endNowWhatTheProviderEnded(ctx: ServiceContext, subscription: SubscriptionRecord, provider: ConfiguredProvider, actor: Actor): Promise<SubscriptionRecord> {
  const held = subscription.scheduledCancel!;
  if (!(await setCancelByRecurAside(ctx.db, subscription.id, { carriedOut: true }))) throw conflict(`subscription "${subscription.id}" changed meanwhile; read it again`);
  try {
    const fresh = await provider.gateway.retrieveSubscription(subscription.providerSubscriptionId);
    if (!fresh) throw conflict(`${provider.name} does not know subscription "${subscription.providerSubscriptionId}"`);
    return await recordSubscriptionChange(
      ctx,
      { provider, customerId: subscription.customerId, change: { subscription: fresh, changedAt: ctx.clock.now(), invoice: null }, action: 'canceled', details: { at: 'now', already_canceled_at_provider: true } },
      actor,
    );
  } catch (error) {
    await restoreCancelByRecur(ctx.db, subscription.id, held);
    throw error;
  }
}

/**
 * A cancel now of a subscription recur holds set to end at period end: the request is taken out
 * first, so the provider's CANCELLED (its webhook may be applied before this call returns) ends it
 * now and not at the period's end; if the provider refuses, the request is put back.
 */
async function cancelNowSettingAsideRecurs(ctx: ServiceContext, subscription: SubscriptionRecord, provider: ConfiguredProvider, idempotencyKey: string) {
  const held = subscription.scheduledCancel;
  if (held && !(await setCancelByRecurAside(ctx.db, subscription.id))) {
    throw conflict(`subscription "${subscription.id}" is being canceled at ${provider.name} at the end of its period right now`);
  }
  try {
    return await provider.gateway.cancelNow(subscription.providerSubscriptionId, idempotencyKey);
  } catch (error) {
    if (held) await restoreCancelByRecur(ctx.db, subscription.id, held);
    throw error;
  }
}
