import type { Subscription } from '@paypal/paypal-server-sdk';
import { paypalStatusWord } from '../../../domain/subscription-status.ts';
import type { PaypalProviderSubscription } from './paypal-provider-types.ts';

const dateOf = (text: string | undefined | null): Date | null => {
  if (!text) return null;
  const time = Date.parse(text);
  return Number.isNaN(time) ? null : new Date(time);
};

const cycleOf = (subscription: Subscription, tenure: 'TRIAL' | 'REGULAR') => subscription.billingInfo?.cycleExecutions?.find((cycle) => String(cycle.tenureType) === tenure);

/**
 * True while the subscription is in its trial: the plan has a trial tenure and no regular cycle has
 * run yet. Not the trial's `cycles_remaining`: PayPal counts a trial cycle as completed when it
 * begins (a free cycle is "billed" at its start), so a one-cycle trial shows none remaining all along.
 */
function isInsideTrial(subscription: Subscription): boolean {
  return cycleOf(subscription, 'TRIAL') !== undefined && (cycleOf(subscription, 'REGULAR')?.cyclesCompleted ?? 0) === 0;
}

/**
 * Created with a start_time after its creation (auto-renew after prepaid time) and not billed yet:
 * no trial tenure, no regular cycle run, no payment. PayPal says ACTIVE from the approval on.
 */
function isBeforeStart(subscription: Subscription): boolean {
  if (cycleOf(subscription, 'TRIAL') || (cycleOf(subscription, 'REGULAR')?.cyclesCompleted ?? 0) > 0 || subscription.billingInfo?.lastPayment) return false;
  const start = dateOf(subscription.startTime);
  const created = dateOf(subscription.createTime);
  return start !== null && created !== null && start.getTime() > created.getTime() + 60_000;
}

/**
 * When the trial ends, which is when the first regular charge is due: the next billing time while
 * in the last trial cycle. recur's plans have one trial cycle; of a longer trial only its last
 * cycle is known to end it.
 */
function trialEndOf(subscription: Subscription): Date | null {
  if (isBeforeStart(subscription)) return dateOf(subscription.startTime);
  const trial = cycleOf(subscription, 'TRIAL');
  if (!trial || !isInsideTrial(subscription)) return null;
  const lastTrialCycle = (trial.totalCycles ?? 1) <= 1 || (trial.cyclesRemaining ?? 0) === 0;
  return lastTrialCycle ? dateOf(subscription.billingInfo?.nextBillingTime) : null;
}

/**
 * PayPal's status word refined by billing_info (domain/subscription-status.ts maps it): ACTIVE
 * inside a trial cycle, ACTIVE or SUSPENDED with failed payments outstanding.
 */
export function paypalStatusOf(subscription: Subscription): string {
  const status = String(subscription.status ?? '');
  return paypalStatusWord(status, { inTrialCycle: isInsideTrial(subscription), paymentsFailing: (subscription.billingInfo?.failedPaymentsCount ?? 0) > 0, beforeStart: isBeforeStart(subscription) });
}

/** The refined words that mean payments are failing: the reads that ask for `pastDueSince` read the transactions for these. */
export const isPaymentFailingAtPaypal = (status: string): boolean => status.endsWith(':PAYMENT_FAILED');

export type PaypalSubscriptionContext = {
  /** The lookup key of the subscription's billing plan (recur's `recur_<plan>`), when recur made the plan. */
  planLookupKey?: string | null;
  /** The first failure of the current incident, from the transactions (paypal-past-due-since.ts); absent when not read. */
  pastDueSince?: Date | null;
};

/**
 * A subscription as PayPal answered it (SDK model) in recur's neutral shape. Every date is PayPal's
 * own (start, last payment, next billing, status change), never the time of an event about it.
 * `custom_id` is where recur writes its customer id at checkout, so it is the metadata's
 * `recur_customer_id`; the payer id is the provider customer (null before approval).
 */
export function toPaypalProviderSubscription(subscription: Subscription, context: PaypalSubscriptionContext = {}): PaypalProviderSubscription {
  if (!subscription.id) throw new TypeError('a PayPal subscription without an id');
  const status = paypalStatusOf(subscription);
  const billing = subscription.billingInfo;
  const lastPaymentAt = dateOf(billing?.lastPayment?.time);
  const insideTrial = status === 'ACTIVE:TRIAL';
  const beforeStart = status === 'ACTIVE:BEFORE_START';
  const ended = status === 'CANCELLED' || status === 'EXPIRED';
  const customId = subscription.customId ?? null;
  return {
    id: subscription.id,
    providerCustomerId: subscription.subscriber?.payerId ?? null,
    status,
    priceId: subscription.planId ?? null,
    priceLookupKey: context.planLookupKey ?? null,
    // Not start_time: after prepaid time that lies in the future.
    signedUpAt: dateOf(subscription.createTime),
    trialEnd: trialEndOf(subscription),
    // The period that the last payment paid for began with it; a trial's period with the start.
    // Before a later start: from the approval (PayPal's status change) until the start.
    currentPeriodStart: beforeStart ? dateOf(subscription.statusUpdateTime ?? subscription.createTime) : insideTrial ? dateOf(subscription.startTime) : (lastPaymentAt ?? dateOf(subscription.startTime)),
    currentPeriodEnd: dateOf(billing?.nextBillingTime),
    // PayPal cancels at once: it has no cancel at period end.
    cancelAtPeriodEnd: false,
    canceledAt: ended ? dateOf(subscription.statusUpdateTime ?? subscription.updateTime) : null,
    metadata: customId ? { recur_customer_id: customId } : {},
    ...(context.pastDueSince !== undefined ? { pastDueSince: context.pastDueSince } : {}),
    paypalStatus: String(subscription.status ?? ''),
    customId,
    payerEmail: subscription.subscriber?.emailAddress ?? null,
    failedPaymentsCount: billing?.failedPaymentsCount ?? 0,
    lastPaymentAt,
  };
}
