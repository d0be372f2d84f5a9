import type { SubscriptionRecord } from '../db/repositories/subscription-repository.ts';
import type { OutgoingEventType } from '../domain/outgoing-event-type.ts';

/** One event a subscription's change calls for: `key` is its business key, or a prefix to number (facts that can recur). */
export type SubscriptionEventDecision = { type: OutgoingEventType; occurredAt: Date } & ({ key: string } | { numberedKeyPrefix: string });

type Before = SubscriptionRecord | null;
/** `paidBefore`: a payment of the subscription went through for a period before the current one (asked only when a past-due one is active again). */
export type SubscriptionHistory = { paidBefore: boolean };
type Decide = (before: Before, after: SubscriptionRecord, history: SubscriptionHistory) => SubscriptionEventDecision | null;

const wasLive = (before: Before) => before !== null && before.status !== 'incomplete';
const version = (s: SubscriptionRecord) => s.providerUpdatedAt;
// The start of what the subscription is now in (its period or trial), else the provider's time of the state.
const periodStartOf = (s: SubscriptionRecord) => s.currentPeriodStart ?? version(s);

/**
 * The subscription events, in the order a receiver should read them. Each follows a transition of
 * the stored row (before -> after), never the event that reported it: a redelivered event changes
 * nothing and so decides nothing. Times are the provider's facts where recur has them.
 */
const DECISIONS: readonly Decide[] = [
  (before, after) => (before === null ? { type: 'subscription.created', key: `subscription.created:${after.id}`, occurredAt: after.createdAt } : null),
  (before, after) =>
    after.status === 'trialing' && !wasLive(before) ? { type: 'subscription.trial_started', key: `subscription.trial_started:${after.id}`, occurredAt: periodStartOf(after) } : null,
  // Live and paying for the first time: paid at sign-up, its first payment through, its trial
  // converted, or the first charge after the trial, declined at first, went through later.
  (before, after, history) =>
    after.status === 'active' && (!wasLive(before) || before?.status === 'trialing' || (before?.status === 'past_due' && !history.paidBefore))
      ? { type: 'subscription.activated', key: `subscription.activated:${after.id}`, occurredAt: periodStartOf(after) }
      : null,
  // A new paid period: the period moved forward while paying, or a renewal that had failed went through.
  (before, after, history) => {
    if (after.status !== 'active' || !before || (before.status !== 'active' && before.status !== 'past_due') || !after.currentPeriodStart) return null;
    if (before.status === 'past_due' && !history.paidBefore) return null;
    const moved = before.currentPeriodStart === null || after.currentPeriodStart.getTime() > before.currentPeriodStart.getTime();
    if (!moved && before.status !== 'past_due') return null;
    return { type: 'subscription.renewed', key: `subscription.renewed:${after.id}:${after.currentPeriodStart.toISOString()}`, occurredAt: after.currentPeriodStart };
  },
  (before, after) =>
    before && before.planId !== after.planId
      ? { type: 'subscription.plan_changed', key: `subscription.plan_changed:${after.id}:${after.planId}:${version(after).toISOString()}`, occurredAt: version(after) }
      : null,
  (before, after) => {
    if (after.status !== 'past_due' || before?.status === 'past_due') return null;
    const since = after.pastDueSince ?? version(after);
    return { type: 'subscription.past_due', key: `subscription.past_due:${after.id}:${since.toISOString()}`, occurredAt: since };
  },
  (before, after) =>
    after.status === 'paused' && before?.status !== 'paused'
      ? { type: 'subscription.paused', key: `subscription.paused:${after.id}:${version(after).toISOString()}`, occurredAt: version(after) }
      : null,
  // Set to renew again: out of a pause, or a pending cancel undone.
  (before, after) => {
    if (!before || after.status === 'canceled' || after.status === 'paused') return null;
    const unpaused = before.status === 'paused';
    const uncanceled = before.cancelAtPeriodEnd && !after.cancelAtPeriodEnd;
    if (!unpaused && !uncanceled) return null;
    return { type: 'subscription.resumed', numberedKeyPrefix: `subscription.resumed:${after.id}:`, occurredAt: (uncanceled ? after.resumedAt : null) ?? version(after) };
  },
  // Numbered, as cancellation notices are: a resume and a new cancel within one provider second carry the same time.
  (before, after) =>
    after.cancelAtPeriodEnd && after.status !== 'canceled' && !(before?.cancelAtPeriodEnd && before.status !== 'canceled')
      ? { type: 'subscription.cancel_scheduled', numberedKeyPrefix: `subscription.cancel_scheduled:${after.id}:`, occurredAt: after.canceledAt ?? version(after) }
      : null,
  (before, after) => {
    // A row first seen ended was never a subscription the shop heard of.
    if (after.status !== 'canceled' || !before || before.status === 'canceled') return null;
    // Ended at the period's end it was set to end at: that end is the time, not the request's.
    const endedAt = before.cancelAtPeriodEnd ? (after.currentPeriodEnd ?? after.canceledAt) : after.canceledAt;
    return { type: 'subscription.canceled', key: `subscription.canceled:${after.id}`, occurredAt: endedAt ?? version(after) };
  },
];

export function decideSubscriptionEvents(before: Before, after: SubscriptionRecord, history: SubscriptionHistory = { paidBefore: true }): SubscriptionEventDecision[] {
  return DECISIONS.map((decide) => decide(before, after, history)).filter((decision): decision is SubscriptionEventDecision => decision !== null);
}
