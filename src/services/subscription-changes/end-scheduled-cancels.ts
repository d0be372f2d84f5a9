import type { Queryable } from '../../db/database.ts';
import { recordAudit } from '../../db/repositories/audit-log-repository.ts';
import { findEndedCancelsByRecur, lockEndingCancelByRecur } from '../../db/repositories/scheduled-cancel-repository.ts';
import { findSubscription } from '../../db/repositories/subscription-repository.ts';
import { ENDED_PROVIDER_STATUSES } from '../../domain/subscription-status.ts';
import type { ServiceContext } from '../service-context.ts';
import { recordProviderSubscription } from '../sync/record-provider-subscription.ts';
import { SCHEDULED_CANCEL_ACTOR } from './cancel-scheduled-subscriptions.ts';
import { versionOfChange } from './record-subscription-change.ts';
import { findSubscriptionTarget } from './subscription-target.ts';
import { entitlementPolicyOf } from '../entitlement/entitlement-policy.ts';
import { lockCustomerForWrite } from '../../db/repositories/customer-repository.ts';

const BATCH = 100;

/**
 * Ends, once their paid period is over on recur's clock, the subscriptions recur held set to cancel
 * at period end and the provider has already cancelled (recur's job does so shortly before the next
 * billing, or the payer did): until then recur shows them running, as Stripe shows a subscription
 * with cancel_at_period_end; from the end on they are canceled, `canceled_at` the end
 * (scheduled-cancel.ts). The provider's answer is read again and recorded through the guarded write
 * every read uses, so the row is what a webhook or reconciliation would make of it from now on. The
 * cancellation was confirmed when it was scheduled: the notice hook sends nothing new. Each one in
 * its own transaction with an audit entry; a second run, or another instance, finds nothing left.
 * One failed read does not stop the others (`failed`); the next run tries again, and entitlement
 * has ended at the end meanwhile.
 */
export async function endScheduledCancels(ctx: ServiceContext, now: Date): Promise<{ ended: string[]; failed: string[] }> {
  const ids = await findEndedCancelsByRecur(ctx.db, { now, limit: BATCH, endedProviderStatuses: ENDED_PROVIDER_STATUSES });
  const ended: string[] = [];
  const failed: string[] = [];
  for (const subscriptionId of ids) {
    try {
      if (await endOne(ctx, subscriptionId, now)) ended.push(subscriptionId);
    } catch (error) {
      failed.push(`${subscriptionId}: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  return { ended, failed };
}

async function endOne(ctx: ServiceContext, subscriptionId: string, now: Date): Promise<boolean> {
  const { subscription, provider } = await findSubscriptionTarget(ctx, subscriptionId);
  const fresh = await provider.gateway.retrieveSubscription(subscription.providerSubscriptionId);
  // Gone at the provider: reconciliation's missing-subscription check decides about it.
  if (!fresh) throw new Error(`${provider.name} does not know subscription ${subscription.providerSubscriptionId}`);
  return ctx.db.transaction(async (tx: Queryable) => {
    await lockCustomerForWrite(tx, subscription.customerId);
    const ending = await lockEndingCancelByRecur(tx, { subscriptionId, now, endedProviderStatuses: ENDED_PROVIDER_STATUSES });
    if (!ending) return false;
    const recorded = await recordProviderSubscription(tx, {
      provider: provider.id,
      customerId: subscription.customerId,
      subscription: fresh,
      // No time of the provider's for it: just past the state held, so later events still apply.
      version: versionOfChange(null, ending.providerUpdatedAt)!,
      plans: ctx.config.catalogue.plans,
      entitlementPolicy: entitlementPolicyOf(ctx.config),
      now,
      actor: SCHEDULED_CANCEL_ACTOR,
    });
    if (recorded.outcome !== 'updated') throw new Error(`subscription ${subscriptionId} was not ended: ${recorded.outcome === 'not_recorded' ? recorded.reason : recorded.outcome}`);
    // The provider's answer decides: one that no longer says ended (never so at PayPal) is recorded as it says, and not audited as ended.
    const after = await findSubscription(tx, subscriptionId);
    if (after?.status !== 'canceled') return false;
    await recordAudit(tx, {
      at: now,
      actor: SCHEDULED_CANCEL_ACTOR,
      entity: 'subscription',
      entityId: subscriptionId,
      action: 'ended',
      before: { status: ending.status },
      after: { status: 'canceled', at: 'period_end', ended_at: ending.at.toISOString(), scheduled_by: 'recur', providerSubscriptionId: subscription.providerSubscriptionId },
    });
    return true;
  });
}
