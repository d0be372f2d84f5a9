import type { Queryable } from '../db/database.ts';
import { countCancellationNotices } from '../db/repositories/notice-schedule-repository.ts';
import { cancelPendingNotices } from '../db/repositories/notification-outbox-repository.ts';
import type { SubscriptionRecord } from '../db/repositories/subscription-repository.ts';
import type { Plan } from '../domain/plan.ts';
import type { ProviderId } from '../domain/provider.ts';
import type { SubscriptionStatus } from '../domain/subscription-status.ts';
import { enqueueCustomerNotice } from './enqueue-customer-notice.ts';
import type { CustomerNotice } from './notice-catalogue.ts';

/** The stored row before the change, as far as the notices care; null for a new subscription. */
export type SubscriptionBefore = { status: SubscriptionStatus; cancelAtPeriodEnd: boolean } | null;

export type SubscriptionChange = { before: SubscriptionBefore; subscription: SubscriptionRecord; plans: readonly Plan[]; now: Date };

const DUNNING_NOTICES: readonly CustomerNotice[] = ['payment-failed', 'direct-debit-returned', 'payment-action-required', 'dunning-reminder', 'dunning-final-warning'];

// PayPal reports a declined renewal only on the subscription (failed payments counted, the
// incident's first decline in its transactions); no payment exists for recur to record, so the
// payment-failed notice Stripe customers get from the failed invoice is decided here instead.
const FAILURES_ONLY_ON_THE_SUBSCRIPTION: ReadonlySet<ProviderId> = new Set(['paypal']);

const isCancelling = (state: { status: SubscriptionStatus; cancelAtPeriodEnd: boolean }) => state.status === 'canceled' || state.cancelAtPeriodEnd;

/**
 * The notices a recorded subscription change calls for, written in the transaction of the change
 * (the caller holds the row's lock, so two writers of one subscription decide one after the
 * other). They follow transitions of the stored row, not events: a redelivered event changes
 * nothing and so decides nothing.
 */
export async function notifySubscriptionChange(tx: Queryable, change: SubscriptionChange): Promise<void> {
  const { before, subscription, plans, now } = change;
  const live = subscription.status === 'trialing' || subscription.status === 'active';
  // Enrolled: first seen trialing or active, or its first payment went through. A trial is
  // confirmed too, though nothing is charged yet (the card networks want the terms at sign-up).
  if (live && (before === null || before.status === 'incomplete')) {
    await enqueueCustomerNotice(tx, { template: 'enrolment-confirmation', businessKey: `enrolment:${subscription.id}`, subscription, plans, details: {}, now });
  }
  if (startsCancellation(before, subscription)) {
    const scheduled = subscription.status !== 'canceled';
    const canceledAt = subscription.canceledAt ?? now;
    const endsAt = scheduled ? (subscription.currentPeriodEnd ?? subscription.trialEnd ?? canceledAt) : canceledAt;
    // Numbered, not keyed on canceled_at: a resume and a new cancel within one provider second
    // carry the same time, and each cancellation is still confirmed once.
    const number = (await countCancellationNotices(tx, subscription.customerId, subscription.id)) + 1;
    await enqueueCustomerNotice(tx, {
      template: 'cancellation-confirmation',
      businessKey: `cancellation:${subscription.id}:${number}`,
      subscription,
      plans,
      details: { ends_at: endsAt.toISOString(), canceled_at: canceledAt.toISOString() },
      now,
    });
  }
  const pastDueSince = subscription.pastDueSince;
  if (FAILURES_ONLY_ON_THE_SUBSCRIPTION.has(subscription.provider) && subscription.status === 'past_due' && pastDueSince && before?.status !== 'past_due') {
    const plan = plans.find((candidate) => candidate.id === subscription.planId);
    if (plan) {
      await enqueueCustomerNotice(tx, {
        template: 'payment-failed',
        // Once per incident: PayPal's retries leave pastDueSince where it is.
        businessKey: `payment-failed:${subscription.id}:${pastDueSince.toISOString()}`,
        subscription,
        plans,
        details: { amount_due_minor: plan.amountMinor, failed_at: pastDueSince.toISOString() },
        now,
      });
    }
  }
  if (before?.status === 'past_due' && subscription.status !== 'past_due') {
    await cancelPendingNotices(tx, { subscriptionId: subscription.id, templates: DUNNING_NOTICES, reason: `the subscription is ${subscription.status}, no longer past due`, now });
  }
}

/**
 * A cancellation starts when a subscription that was going on is set to end at its period's end,
 * or ends at once. Ending at the scheduled date was confirmed when it was scheduled. A row first
 * seen already ended, or a first payment that expired, was never a subscription the customer had.
 */
function startsCancellation(before: SubscriptionBefore, after: SubscriptionRecord): boolean {
  if (!isCancelling(after)) return false;
  if (before === null) return after.status !== 'canceled';
  return !isCancelling(before) && before.status !== 'incomplete';
}
