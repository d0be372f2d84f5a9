import type { Queryable } from '../../db/database.ts';
import { recordAudit } from '../../db/repositories/audit-log-repository.ts';
import { recordCancelByRecur, undoCancelByRecur } from '../../db/repositories/scheduled-cancel-repository.ts';
import { findSubscription, type SubscriptionRecord } from '../../db/repositories/subscription-repository.ts';
import { notifySubscriptionChange } from '../../notifications/subscription-notice-hooks.ts';
import { cancelScheduledSubscriptions } from './cancel-scheduled-subscriptions.ts';
import { conflict } from '../../shared/errors.ts';
import type { ConfiguredProvider } from '../require-payment-provider.ts';
import type { Actor, ServiceContext } from '../service-context.ts';
import { recordSubscriptionEvents } from '../../outgoing-events/record-subscription-events.ts';
import { entitlementPolicyOf } from '../entitlement/entitlement-policy.ts';
import { lockCustomerForWrite } from '../../db/repositories/customer-repository.ts';

/**
 * A cancel at period end for a provider that only cancels at once (`cancelAtPeriodEnd: 'recur'`):
 * recur records it on its own row, with the audit entry and the cancellation confirmation Stripe's
 * path gives, then cancels at the provider at once, so nothing more is billed whatever happens to
 * recur meanwhile; recur goes on showing it running, and the customer keeps access, until the paid
 * period ends. When the provider cannot be reached the request stands (the customer's word is
 * recorded) and the `cancel-scheduled-subscriptions` job asks again on its next run.
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
    await lockCustomerForWrite(tx, subscription.customerId);
    const before = await findSubscription(tx, subscription.id);
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
    await recordSubscriptionEvents(tx, { before, after: after!, plans: ctx.config.catalogue.plans }, { now, entitlementPolicy: entitlementPolicyOf(ctx.config) });
  });
  // A failure is kept on the row for the job (its claim given back); the answer is the request recorded.
  await cancelScheduledSubscriptions(ctx, now, subscription.id);
  return (await findSubscription(ctx.db, subscription.id))!;
}

/**
 * Undoes recur's own cancel at period end while the provider has not cancelled yet (it could not be
 * reached when the customer asked): nothing to ask the provider, which never heard of it. Refused
 * once a cancel is under way or done there: PayPal cannot take a cancel back.
 */
export async function undoScheduledCancelByRecur(ctx: ServiceContext, subscription: SubscriptionRecord, provider: ConfiguredProvider, actor: Actor): Promise<SubscriptionRecord> {
  const now = ctx.clock.now();
  await ctx.db.transaction(async (tx: Queryable) => {
    await lockCustomerForWrite(tx, subscription.customerId);
    const before = await findSubscription(tx, subscription.id);
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
    await recordSubscriptionEvents(tx, { before, after: (await findSubscription(tx, subscription.id))!, plans: ctx.config.catalogue.plans }, { now, entitlementPolicy: entitlementPolicyOf(ctx.config) });
  });
  return (await findSubscription(ctx.db, subscription.id))!;
}
