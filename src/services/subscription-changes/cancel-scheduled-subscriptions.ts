import { claimCancelByRecur, findDueCancelsByRecur, moveCancelByRecur, releaseCancelClaim } from '../../db/repositories/scheduled-cancel-repository.ts';
import type { SubscriptionRecord } from '../../db/repositories/subscription-repository.ts';
import { ENDED_PROVIDER_STATUSES, mapProviderStatus } from '../../domain/subscription-status.ts';
import type { ConfiguredProvider } from '../require-payment-provider.ts';
import type { ServiceContext } from '../service-context.ts';
import { recordSubscriptionChange } from './record-subscription-change.ts';
import { findSubscriptionTarget } from './subscription-target.ts';

export const SCHEDULED_CANCEL_ACTOR = 'system:scheduled-cancel';

/** A run that claimed a cancel and went silent this long died: the next run takes the cancel over. */
export const CANCEL_CLAIM_LEASE_MS = 10 * 60_000;
const BATCH = 100;

/**
 * Cancels at the provider the subscriptions recur holds set to cancel at period end (providers that
 * only cancel at once). The request itself asks at once (cancel-by-recur.ts): the provider stops
 * billing the moment the customer cancels, so no charge can slip in before a run that came late
 * (recur down, or a sandbox clock moved days at a time), and recur keeps access and shows the
 * subscription running until its paid period ends. A run takes what the request could not get
 * through (a 429 or 5xx, a crash), and a run that comes after the provider billed anyway keeps the
 * period the customer paid for (endOfPaidTime). Each cancel is claimed on
 * its row first, so two runs or two instances make one call; the call's idempotency key names the
 * subscription and the end it cancels for, so a retry after a crash is the same request to the
 * provider. One failure (a 429 or 5xx) does not stop the others: its claim is given back and the
 * next run tries again; the caller hears of it (`failed`). One the provider has ended already (the
 * payer cancelled there) is not asked for again. recur goes on showing a cancelled one running until
 * its end (scheduled-cancel.ts); `endScheduledCancels` ends it then.
 */
export async function cancelScheduledSubscriptions(ctx: ServiceContext, now: Date, only?: string): Promise<{ canceled: string[]; failed: string[] }> {
  const claimExpiredBefore = new Date(now.getTime() - CANCEL_CLAIM_LEASE_MS);
  const ids = only ? [only] : await findDueCancelsByRecur(ctx.db, { claimExpiredBefore, limit: BATCH, endedProviderStatuses: ENDED_PROVIDER_STATUSES });
  const canceled: string[] = [];
  const failed: string[] = [];
  for (const subscriptionId of ids) {
    if (!(await claimCancelByRecur(ctx.db, { subscriptionId, now, claimExpiredBefore, endedProviderStatuses: ENDED_PROVIDER_STATUSES }))) continue;
    try {
      await cancelClaimed(ctx, subscriptionId, now);
      canceled.push(subscriptionId);
    } catch (error) {
      await releaseCancelClaim(ctx.db, { subscriptionId, claimedAt: now });
      failed.push(`${subscriptionId}: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  return { canceled, failed };
}

async function cancelClaimed(ctx: ServiceContext, subscriptionId: string, claimedAt: Date): Promise<void> {
  const { subscription, provider } = await findSubscriptionTarget(ctx, subscriptionId);
  const held = subscription.scheduledCancel;
  if (!held) return;
  const endsAt = await endOfPaidTime(provider, subscription, held.at);
  if (endsAt.getTime() !== held.at.getTime()) await moveCancelByRecur(ctx.db, { subscriptionId, claimedAt, at: endsAt });
  const changed = await provider.gateway.cancelNow(subscription.providerSubscriptionId, `recur:scheduled-cancel:${subscription.id}:${endsAt.getTime()}`);
  await recordSubscriptionChange(
    ctx,
    {
      provider,
      customerId: subscription.customerId,
      change: changed,
      action: 'canceled',
      details: { at: 'period_end', ends_at: endsAt.toISOString(), scheduled_by: 'recur', requested_by: held.requestedBy, ...(endsAt.getTime() !== held.at.getTime() ? { billed_before_cancel: true } : {}) },
    },
    SCHEDULED_CANCEL_ACTOR,
  );
}

/**
 * The end of the time the customer paid for, from the provider's current answer. Normally the end
 * recur recorded. When the provider billed another period before the cancel (the job did not run in
 * time), the customer paid for that period and keeps it: the cancel stops every later charge, and
 * access ends with the period charged for. A refund of it stays the shop's decision.
 */
async function endOfPaidTime(provider: ConfiguredProvider, subscription: SubscriptionRecord, recorded: Date): Promise<Date> {
  const fresh = await provider.gateway.retrieveSubscription(subscription.providerSubscriptionId);
  if (!fresh?.currentPeriodEnd) return recorded;
  const mapped = mapProviderStatus(provider.id, fresh.status);
  // Only a period paid for moves the end: a renewal that failed (past due) bought nothing.
  if (!mapped.ok || mapped.status !== 'active') return recorded;
  return fresh.currentPeriodEnd.getTime() > recorded.getTime() ? fresh.currentPeriodEnd : recorded;
}
