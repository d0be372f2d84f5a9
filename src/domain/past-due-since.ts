import type { SubscriptionStatus } from './subscription-status.ts';

export type PastDueInput = {
  /** recur's status of the new state. */
  status: SubscriptionStatus;
  /** The stored row before this write; null for a new row. */
  previous: { status: SubscriptionStatus; pastDueSince: Date | null } | null;
  /** The provider's fact (when the incident's first payment attempt failed); null or absent when it has none or was not asked. */
  fact: Date | null | undefined;
  /** The start of the period the failing renewal bills, for when neither the fact nor recur knows better. */
  periodStart: Date | null;
};

/**
 * The date a past-due incident began, which the grace period and the dunning steps count from.
 * The provider's fact wins: it names the same first failure however often it is read, so within
 * one incident it does not move, and a date recur stamped wrongly earlier is corrected by it.
 * Without the fact, a row already past due keeps its date (the same incident goes on); a new
 * incident starts at the period its renewal failed to pay. Never the time of the event that
 * reported the state: events arrive late and out of order, and their time is not the failure's.
 */
export function decidePastDueSince(input: PastDueInput): Date | null {
  if (input.status !== 'past_due') return null;
  if (input.fact) return input.fact;
  if (input.previous?.status === 'past_due' && input.previous.pastDueSince) return input.previous.pastDueSince;
  return input.periodStart;
}
