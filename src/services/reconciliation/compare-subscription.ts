import type { SubscriptionRecord } from '../../db/repositories/subscription-repository.ts';
import type { ReconciliationItemKind } from '../../db/repositories/reconciliation-run-repository.ts';
import { withScheduledCancel } from '../../domain/scheduled-cancel.ts';
import type { SubscriptionStatus } from '../../domain/subscription-status.ts';
import type { ProviderSubscription } from '../../providers/payments/provider-objects.ts';

/** recur's row as the comparison needs it: the repository's record. */
export type StoredSubscription = Pick<
  SubscriptionRecord,
  'id' | 'customerId' | 'customerExternalId' | 'planId' | 'status' | 'providerStatus' | 'signedUpAt' | 'trialEnd' | 'currentPeriodStart' | 'currentPeriodEnd' | 'cancelAtPeriodEnd' | 'canceledAt' | 'pastDueSince' | 'providerUpdatedAt' | 'scheduledCancel'
>;

export type SubscriptionDrift = {
  kind: Extract<ReconciliationItemKind, 'stale_status' | 'stale_period' | 'stale_plan' | 'stale_cancel_flag' | 'stale_past_due_since'>;
  recur: unknown;
  provider: unknown;
};

const sameTime = (a: Date | null, b: Date | null) => (a?.getTime() ?? null) === (b?.getTime() ?? null);
const iso = (date: Date | null) => date?.toISOString() ?? null;

/**
 * Where recur's row differs from the provider's subscription, one entry per kind of difference.
 * `truthStatus` is the provider's status in recur's words (null: a word recur cannot map), `now`
 * recur's time: a subscription recur holds set to cancel, which the provider ended shortly before
 * the end of its paid period, is truly still running until that end (scheduled-cancel.ts).
 */
export function compareSubscription(stored: StoredSubscription, read: ProviderSubscription, truthPlanId: string, truthStatus: SubscriptionStatus | null, now: Date): SubscriptionDrift[] {
  // A cancel at period end recur keeps itself is part of the truth: the provider cannot know it.
  const { status, facts: truth } = truthStatus
    ? withScheduledCancel(read, truthStatus, stored.scheduledCancel, { now, statusBefore: stored.status })
    : { status: null, facts: read };
  const drift: SubscriptionDrift[] = [];
  if (stored.providerStatus !== truth.status) drift.push({ kind: 'stale_status', recur: stored.providerStatus, provider: truth.status });
  // Same word, yet recur's status is not what it makes of it now: a held cancel whose end has passed.
  else if (status && stored.status !== status) drift.push({ kind: 'stale_status', recur: stored.status, provider: status });
  // The sign-up time is part of the timeline; a provider that does not say leaves recur's own.
  const signedUpDiffers = truth.signedUpAt !== null && !sameTime(stored.signedUpAt, truth.signedUpAt);
  if (signedUpDiffers || !sameTime(stored.trialEnd, truth.trialEnd) || !sameTime(stored.currentPeriodStart, truth.currentPeriodStart) || !sameTime(stored.currentPeriodEnd, truth.currentPeriodEnd)) {
    drift.push({
      kind: 'stale_period',
      recur: { ...(signedUpDiffers ? { signed_up_at: iso(stored.signedUpAt) } : {}), trial_end: iso(stored.trialEnd), current_period_start: iso(stored.currentPeriodStart), current_period_end: iso(stored.currentPeriodEnd) },
      provider: { ...(signedUpDiffers ? { signed_up_at: iso(truth.signedUpAt) } : {}), trial_end: iso(truth.trialEnd), current_period_start: iso(truth.currentPeriodStart), current_period_end: iso(truth.currentPeriodEnd) },
    });
  }
  if (stored.planId !== truthPlanId) drift.push({ kind: 'stale_plan', recur: stored.planId, provider: truthPlanId });
  if (stored.cancelAtPeriodEnd !== truth.cancelAtPeriodEnd || !sameTime(stored.canceledAt, truth.canceledAt)) {
    drift.push({
      kind: 'stale_cancel_flag',
      recur: { cancel_at_period_end: stored.cancelAtPeriodEnd, canceled_at: iso(stored.canceledAt) },
      provider: { cancel_at_period_end: truth.cancelAtPeriodEnd, canceled_at: iso(truth.canceledAt) },
    });
  }
  // Only a read that asked Stripe for the fact can show this drift; a list page cannot.
  if (truth.pastDueSince && !sameTime(stored.pastDueSince, truth.pastDueSince)) {
    drift.push({ kind: 'stale_past_due_since', recur: iso(stored.pastDueSince), provider: iso(truth.pastDueSince) });
  }
  return drift;
}
