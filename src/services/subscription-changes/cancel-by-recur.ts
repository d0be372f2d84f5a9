import type { Queryable } from '../../db/database.ts';
import { recordAudit } from '../../db/repositories/audit-log-repository.ts';
import { recordCancelByRecur, undoCancelByRecur } from '../../db/repositories/scheduled-cancel-repository.ts';
import { findSubscription, type SubscriptionRecord } from '../../db/repositories/subscription-repository.ts';
import { notifySubscriptionChange } from '../../notifications/subscription-notice-hooks.ts';
import { conflict } from '../../shared/errors.ts';
import type { ConfiguredProvider } from '../require-payment-provider.ts';
import type { Actor, ServiceContext } from '../service-context.ts';

/**
 * A cancel at period end for a provider that only cancels at once (`cancelAtPeriodEnd: 'recur'`):
 * recur records it on its own row, with the audit entry and the cancellation confirmation Stripe's
 * path gives, and asks nothing of the provider now; the `cancel-scheduled-subscriptions` job
 * cancels at the provider shortly before the next billing. The customer keeps access until then.
 */
export async function scheduleCancelByRecur(ctx: ServiceContext, subscription: SubscriptionRecord, provider: ConfiguredProvider, actor: Actor): Promise<SubscriptionRecord> {
  if (subscription.status !== 'trialing' && subscription.status !== 'active') {
    throw conflict(`subscription "${subscription.id}" is ${subscription.status}: ${provider.name} cannot end it at the end of a paid period; cancel now instead`);
  }
  const now = ctx.clock.now();
  const endsAt = subscription.currentPeriodEnd ?? subscription.trialEnd;
  if (!endsAt) throw conflict(`subscription "${subscription.id}" has no period end at ${provider.name} to cancel at; cancel now instead`);
  // The renewal is in flight: what it bought is not known yet, so neither is the end to cancel at.
  if (endsAt.getTime() <= now.getTime()) throw conflict(`subscription "${subscription.id}" is renewing right now; try again in a few minutes`);
  await ctx.db.transaction(async (tx: Queryable) => {
    const recorded = await recordCancelByRecur(tx, { subscriptionId: subscription.id, at: endsAt, requestedAt: now, requestedBy: actor });
    if (!recorded) throw conflict(`subscription "${subscription.id}" changed meanwhile (or is already set to cancel); read it again`);
    await recordAudit(tx, {
      at: now,
      actor,
      entity: 'subscription',
      entityId: subscription.id,
      action: 'cancel_scheduled',
      before: null,
      after: { at: 'period_end', ends_at: endsAt.toISOString(), scheduled_by: 'recur', providerSubscriptionId: subscription.providerSubscriptionId },
    });
    const after = await findSubscription(tx, subscription.id);
    await notifySubscriptionChange(tx, { before: { status: after!.status, cancelAtPeriodEnd: false }, subscription: after!, plans: ctx.config.catalogue.plans, now });
  });
  return (await findSubscription(ctx.db, subscription.id))!;
}

/**
 * Undoes recur's own cancel at period end before the job cancelled at the provider: nothing to
 * ask the provider, which never heard of it. Refused once the job has taken it (the cancel may
 * already be at the provider) or ended it.
 */
export async function undoScheduledCancelByRecur(ctx: ServiceContext, subscription: SubscriptionRecord, provider: ConfiguredProvider, actor: Actor): Promise<SubscriptionRecord> {
  const now = ctx.clock.now();
  await ctx.db.transaction(async (tx: Queryable) => {
    const outcome = await undoCancelByRecur(tx, { subscriptionId: subscription.id, now });
    if (outcome === 'claimed') throw conflict(`subscription "${subscription.id}" is being canceled at ${provider.name} at the end of its period right now and can no longer be resumed; subscribe again instead`);
    if (outcome === 'none') throw conflict(`subscription "${subscription.id}" changed meanwhile; read it again`);
    await recordAudit(tx, {
      at: now,
      actor,
      entity: 'subscription',
      entityId: subscription.id,
      action: 'resumed',
      before: null,
      after: { from: 'cancel_at_period_end', scheduled_by: 'recur', providerSubscriptionId: subscription.providerSubscriptionId },
    });
  });
  return (await findSubscription(ctx.db, subscription.id))!;
}
