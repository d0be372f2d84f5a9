import type { SubscriptionStatus } from './subscription-status.ts';

/** What a provider's answer says of how a subscription ends. */
export type EndFacts = { trialEnd: Date | null; cancelAtPeriodEnd: boolean; canceledAt: Date | null; currentPeriodEnd: Date | null };

/** A cancel at period end that recur keeps itself: the end of the paid period, and when it was asked for. */
export type HeldCancel = { at: Date; requestedAt: Date };

/** recur's status and end facts of one subscription, once recur's own cancel is laid over the provider's answer. */
export type HeldView<T extends EndFacts> = { status: SubscriptionStatus; facts: T };

/** Where the answer is judged: recur's time, and the status recur held before it (null: a new row). */
export type HeldContext = { now: Date; statusBefore: SubscriptionStatus | null };

// The statuses a subscription goes on in until its paid period ends, as Stripe's with cancel_at_period_end.
const RUNS_UNTIL_THE_END: ReadonlySet<SubscriptionStatus> = new Set(['trialing', 'active', 'past_due']);

const latest = (a: Date | null, b: Date): Date => (a && a.getTime() > b.getTime() ? a : b);

/**
 * The provider's answer (its mapped `status`) with recur's own cancel at period end laid over it,
 * for a provider that only cancels at once (PayPal). The provider knows nothing of the request, so
 * a re-read (webhook, reconciliation, the answer to a change) must not undo it: while the provider
 * still runs the subscription it is set to cancel at period end, asked at `requestedAt` (Stripe's
 * canceled_at of a pending cancel is the time of the request too).
 *
 * Once the provider says it is canceled (recur's job cancelled it shortly before the next billing,
 * or the payer did at PayPal), it ends at the end of the period that was paid for, not at the
 * provider's earlier moment. Until that end it goes on as it was (trialing, active, past due) and
 * set to cancel, as a Stripe subscription does: a shop reading the status sees no early end. From
 * the end on (recur's clock) it is canceled, `canceled_at` the end.
 */
export function withScheduledCancel<T extends EndFacts>(facts: T, status: SubscriptionStatus, held: HeldCancel | null, context: HeldContext): HeldView<T> {
  if (!held) return { status, facts };
  if (status !== 'canceled') return { status, facts: { ...facts, cancelAtPeriodEnd: true, canceledAt: held.requestedAt } };
  const end = latest(facts.canceledAt, held.at);
  const before = context.statusBefore;
  if (end.getTime() > context.now.getTime() && before && RUNS_UNTIL_THE_END.has(before)) {
    // A cancelled trial has no next billing at the provider, so no trial end either: it ends with the trial.
    const trialEnd = before === 'trialing' ? (facts.trialEnd ?? end) : facts.trialEnd;
    return { status: before, facts: { ...facts, trialEnd, cancelAtPeriodEnd: true, canceledAt: held.requestedAt, currentPeriodEnd: end } };
  }
  return { status: 'canceled', facts: { ...facts, cancelAtPeriodEnd: true, canceledAt: end, currentPeriodEnd: end } };
}
