import { coverageEnd, runningPeriod, type PrepaidCoverage } from './prepaid-period.ts';
import type { ProviderId } from './provider.ts';
import type { SubscriptionStatus } from './subscription-status.ts';

/** What the rule needs to know of each subscription a customer has had, at any provider. */
export type PastSubscription = { id: string; provider: ProviderId; status: SubscriptionStatus; providerStatus: string; trialEnd: Date | null };

/**
 * `incomplete` is live too: its first payment is still under way (a SEPA debit settles in days)
 * and it becomes active by itself, so a second checkout meanwhile would bill twice.
 */
const LIVE_STATUSES: ReadonlySet<SubscriptionStatus> = new Set(['trialing', 'active', 'past_due', 'paused', 'incomplete']);

export type FreeTrialRefusal = { reason: 'trial_used'; subscriptionId: string } | { reason: 'prepaid_before'; prepaidPeriodId: string };

/**
 * What the customer is about to buy: a subscription through checkout, auto-renew after paid time
 * (a subscription whose trial runs until the paid date), or prepaid time without auto-renew.
 */
export type Purchase = 'subscription' | 'auto_renew' | 'prepaid';

export type NewSubscriptionTerms =
  | { kind: 'refused'; live: PastSubscription }
  | { kind: 'prepaid_running'; running: PrepaidCoverage; paidUntil: Date }
  | { kind: 'allowed'; freeTrial: true }
  | { kind: 'allowed'; freeTrial: false; refusal: FreeTrialRefusal };

/**
 * A subscription counts as "had" once it gave a trial or took the customer past the first
 * payment. One that Stripe expired because its first invoice was never paid gave nothing.
 */
function gaveTrialOrPaidTime(subscription: PastSubscription): boolean {
  if (subscription.trialEnd !== null) return true;
  return subscription.status !== 'incomplete' && subscription.providerStatus !== 'incomplete_expired';
}

export type TermsOptions = {
  trialOncePerCustomer: boolean;
  /** The customer's prepaid periods (one-time checkouts) and the time to judge them at. */
  prepaid?: { periods: readonly PrepaidCoverage[]; now: Date };
  /** A plain subscription checkout when not given. */
  purchase?: Purchase;
};

/**
 * Whether a customer may start a new subscription (or prepay), and with the plan's free trial or
 * without. One live subscription per customer, whatever the provider: a plan change is a switch
 * of that one, never a second subscription, and prepaid time is not sold beside it either. While
 * prepaid time runs, a subscription checkout is refused (it would charge those days again); auto-
 * renew is the way on, and prepaying more extends the time. The free trial is for a customer's
 * first subscription only when `trialOncePerCustomer` is set: anyone who has had a trial or paid
 * time before (a subscription or a prepaid period), canceled or not, starts paying at once.
 */
export function decideNewSubscriptionTerms(history: readonly PastSubscription[], options: TermsOptions): NewSubscriptionTerms {
  const live = history.find((subscription) => LIVE_STATUSES.has(subscription.status));
  if (live) return { kind: 'refused', live };
  const periods = options.prepaid?.periods ?? [];
  const running = options.prepaid ? runningPeriod(periods, options.prepaid.now) : null;
  if (running && (options.purchase ?? 'subscription') === 'subscription') return { kind: 'prepaid_running', running, paidUntil: coverageEnd(periods, options.prepaid!.now)! };
  if (!options.trialOncePerCustomer) return { kind: 'allowed', freeTrial: true };
  const earlier = history.find(gaveTrialOrPaidTime);
  if (earlier) return { kind: 'allowed', freeTrial: false, refusal: { reason: 'trial_used', subscriptionId: earlier.id } };
  const prepaid = periods[0];
  if (prepaid) return { kind: 'allowed', freeTrial: false, refusal: { reason: 'prepaid_before', prepaidPeriodId: prepaid.id } };
  return { kind: 'allowed', freeTrial: true };
}

/** The trial days a checkout grants under these terms. */
export function grantedTrialDays(planTrialDays: number, terms: Extract<NewSubscriptionTerms, { kind: 'allowed' }>): number {
  return terms.freeTrial ? planTrialDays : 0;
}
