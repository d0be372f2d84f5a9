import { addDays } from './calendar-period.ts';
import { coverageEnd, runningPeriod, type PrepaidCoverage } from './prepaid-period.ts';
import type { SubscriptionStatus } from './subscription-status.ts';

export type EntitlementSubscription = {
  id: string;
  status: SubscriptionStatus;
  trialEnd: Date | null;
  currentPeriodEnd: Date | null;
  cancelAtPeriodEnd: boolean;
  canceledAt: Date | null;
  pastDueSince?: Date | null;
  /** A payment of it is a debit the bank has not answered yet (SEPA: days); it may still fail. */
  paymentProcessing?: boolean;
};

/**
 * The shop's rule. `entitledWhileProcessing` (default true): a subscription whose payment is a
 * debit still processing counts as paid (its first payment too) until the bank says otherwise;
 * false: as unpaid, so neither a first debit nor a renewal's gives access before it succeeds.
 */
export type EntitlementPolicy = { pastDueGraceDays: number; entitledWhileProcessing?: boolean };

export type GrantReason = 'trialing' | 'active' | 'payment_processing' | 'past_due_grace' | 'prepaid';
type SubscriptionGrantReason = Exclude<GrantReason, 'prepaid'>;
export type DenialReason = 'no_subscription' | 'canceled' | 'past_due_expired' | 'payment_processing' | 'paused' | 'incomplete' | 'trial_expired';

export type Entitlement =
  | { entitled: true; reason: SubscriptionGrantReason; until: Date | null; subscriptionId: string }
  | { entitled: true; reason: 'prepaid'; until: Date; prepaidPeriodId: string }
  | { entitled: false; reason: DenialReason };

// When several grants apply, report the steadiest one. Paid-for time outranks a trial: a customer
// who prepaid and turned auto-renew on has a trial until the paid date, but paid for those days.
const GRANT_RANK: Record<GrantReason, number> = { active: 0, prepaid: 1, trialing: 2, payment_processing: 3, past_due_grace: 4 };
// When none does, report the one the customer can act on ("update your card") before history.
const DENIAL_RANK: Record<DenialReason, number> = {
  past_due_expired: 0,
  payment_processing: 1,
  incomplete: 2,
  paused: 3,
  trial_expired: 4,
  canceled: 5,
  no_subscription: 6,
};

/**
 * Whether the customer may use the product at `now`, from all of their subscriptions and the
 * periods they prepaid (entitled from a period's start until the end of the coverage it begins).
 */
export function decideEntitlement(
  subscriptions: readonly EntitlementSubscription[],
  now: Date,
  policy: EntitlementPolicy,
  prepaid: readonly PrepaidCoverage[] = [],
): Entitlement {
  if (!Number.isSafeInteger(policy.pastDueGraceDays) || policy.pastDueGraceDays < 0) {
    throw new RangeError(`pastDueGraceDays must be a whole number >= 0, got ${policy.pastDueGraceDays}`);
  }
  let best: Entitlement = { entitled: false, reason: 'no_subscription' };
  for (const subscription of subscriptions) {
    const candidate = decideOne(subscription, now, policy);
    if (isBetter(candidate, best)) best = candidate;
  }
  const running = runningPeriod(prepaid, now);
  if (running) {
    const candidate: Entitlement = { entitled: true, reason: 'prepaid', until: coverageEnd(prepaid, now)!, prepaidPeriodId: running.id };
    if (isBetter(candidate, best)) best = candidate;
  }
  return best;
}

function decideOne(sub: EntitlementSubscription, now: Date, policy: EntitlementPolicy): Entitlement {
  const grant = (reason: SubscriptionGrantReason, until: Date | null): Entitlement => ({
    entitled: true,
    reason,
    until,
    subscriptionId: sub.id,
  });
  switch (sub.status) {
    case 'trialing': {
      // Stripe sets current_period_end to the trial end; with neither, trust the provider's status.
      const trialEnd = sub.trialEnd ?? sub.currentPeriodEnd;
      if (trialEnd === null || trialEnd.getTime() > now.getTime()) return grant('trialing', trialEnd);
      // Over, and set to end with it: no first charge is coming.
      if (sub.cancelAtPeriodEnd) return { entitled: false, reason: 'trial_expired' };
      // Over, and set to convert: the first charge is in flight, as a renewal is once an active
      // period ends, and its webhook says how it went. Denying meanwhile would tell the shop the
      // trial expired, seconds before the conversion says it did not.
      return grant('trialing', trialEnd);
    }
    case 'active': {
      // No renewal is coming, so a late "canceled" webhook must not extend access past the end.
      const end = sub.currentPeriodEnd;
      if (sub.cancelAtPeriodEnd && end !== null && end.getTime() <= now.getTime()) {
        return { entitled: false, reason: 'canceled' };
      }
      // A renewal debited but not yet paid: access as the shop's rule says.
      if (sub.paymentProcessing && policy.entitledWhileProcessing === false) return { entitled: false, reason: 'payment_processing' };
      // Without cancelAtPeriodEnd a period end in the past only means the renewal is in flight.
      return grant('active', end);
    }
    case 'past_due': {
      // Without any date to count from, no grace can be shown to remain.
      const since = sub.pastDueSince ?? sub.currentPeriodEnd;
      if (since === null) return { entitled: false, reason: 'past_due_expired' };
      const graceEnd = addDays(since, policy.pastDueGraceDays);
      if (now.getTime() < graceEnd.getTime()) return grant('past_due_grace', graceEnd);
      return { entitled: false, reason: 'past_due_expired' };
    }
    // An immediately canceled subscription ends access at once; one canceled at period end is
    // still 'active' until then, and handled above. A provider that only cancels at once (PayPal)
    // is asked shortly before the period's end, and recur records the end as the period's end
    // (scheduled-cancel.ts): access lasts until that moment.
    case 'canceled': {
      const endsAt = sub.canceledAt;
      if (sub.cancelAtPeriodEnd && endsAt !== null && endsAt.getTime() > now.getTime()) return grant('active', endsAt);
      return { entitled: false, reason: 'canceled' };
    }
    // The first payment is a debit the bank has not answered (the provider calls it incomplete
    // meanwhile): access as the shop's rule says, until the period it pays for ends.
    case 'incomplete':
      if (sub.paymentProcessing) return policy.entitledWhileProcessing === false ? { entitled: false, reason: 'payment_processing' } : grant('payment_processing', sub.currentPeriodEnd);
      return { entitled: false, reason: 'incomplete' };
    case 'paused':
      return { entitled: false, reason: sub.status };
  }
}

function isBetter(candidate: Entitlement, best: Entitlement): boolean {
  if (candidate.entitled !== best.entitled) return candidate.entitled;
  if (candidate.entitled && best.entitled) {
    if (GRANT_RANK[candidate.reason] !== GRANT_RANK[best.reason]) {
      return GRANT_RANK[candidate.reason] < GRANT_RANK[best.reason];
    }
    return endsLater(candidate.until, best.until);
  }
  return !candidate.entitled && !best.entitled && DENIAL_RANK[candidate.reason] < DENIAL_RANK[best.reason];
}

// null means no known end, which outlasts any date.
function endsLater(a: Date | null, b: Date | null): boolean {
  if (a === null) return b !== null;
  return b !== null && a.getTime() > b.getTime();
}

/** A customer's entitlement: a banned customer (fraud, abuse) loses access at once, whatever their subscriptions say. */
export type CustomerEntitlement = Entitlement | { entitled: false; reason: 'banned' };

export function decideCustomerEntitlement(
  facts: { banned: boolean; subscriptions: readonly EntitlementSubscription[]; prepaid: readonly PrepaidCoverage[] },
  now: Date,
  policy: EntitlementPolicy,
): CustomerEntitlement {
  if (facts.banned) return { entitled: false, reason: 'banned' };
  return decideEntitlement(facts.subscriptions, now, policy, facts.prepaid);
}
