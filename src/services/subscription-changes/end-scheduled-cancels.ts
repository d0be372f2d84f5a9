import type { Queryable } from '../../db/database.ts';
import { recordAudit } from '../../db/repositories/audit-log-repository.ts';
import { endCancelByRecur, findEndedCancelsByRecur } from '../../db/repositories/scheduled-cancel-repository.ts';
import { findSubscription } from '../../db/repositories/subscription-repository.ts';
import { ENDED_PROVIDER_STATUSES } from '../../domain/subscription-status.ts';
import { notifySubscriptionChange } from '../../notifications/subscription-notice-hooks.ts';
import type { ServiceContext } from '../service-context.ts';
import { SCHEDULED_CANCEL_ACTOR } from './cancel-scheduled-subscriptions.ts';

const BATCH = 100;

/**
 * Ends, once their paid period is over on recur's clock, the subscriptions recur held set to cancel
 * at period end and the provider has already cancelled (recur's job does so shortly before the next
 * billing, or the payer did): until then recur shows them running, as Stripe shows a subscription
 * with cancel_at_period_end; from the end on they are canceled, `canceled_at` the end. Nothing is
 * asked of the provider: its answer (ended) is recorded already, and the end is recur's own date.
 * Each one in its own transaction with an audit entry; the cancellation was confirmed when it was
 * scheduled, so the notice hook sends nothing new (it only stops dunning of a past-due one).
 * A second run, or another instance, finds nothing left to end.
 */
export async function endScheduledCancels(ctx: ServiceContext, now: Date): Promise<{ ended: string[] }> {
  const ended: string[] = [];
  for (;;) {
    const ids = await findEndedCancelsByRecur(ctx.db, { now, limit: BATCH, endedProviderStatuses: ENDED_PROVIDER_STATUSES });
    for (const subscriptionId of ids) if (await endOne(ctx, subscriptionId, now)) ended.push(subscriptionId);
    if (ids.length < BATCH) return { ended };
  }
}

async function endOne(ctx: ServiceContext, subscriptionId: string, now: Date): Promise<boolean> {
  return ctx.db.transaction(async (tx: Queryable) => {
    const endedBy = await endCancelByRecur(tx, { subscriptionId, now, endedProviderStatuses: ENDED_PROVIDER_STATUSES });
    if (!endedBy) return false;
    const after = (await findSubscription(tx, subscriptionId))!;
    await recordAudit(tx, {
      at: now,
      actor: SCHEDULED_CANCEL_ACTOR,
      entity: 'subscription',
      entityId: subscriptionId,
      action: 'ended',
      before: { status: endedBy.status },
      after: { status: 'canceled', at: 'period_end', ended_at: endedBy.endedAt.toISOString(), scheduled_by: 'recur', providerSubscriptionId: after.providerSubscriptionId },
    });
    await notifySubscriptionChange(tx, { before: { status: endedBy.status, cancelAtPeriodEnd: true }, subscription: after, plans: ctx.config.catalogue.plans, now });
    return true;
  });
}
