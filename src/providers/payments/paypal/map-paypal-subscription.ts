import type { Subscription } from '@paypal/paypal-server-sdk';
import type { PaypalProviderSubscription, RecurSubscriptionStatus } from './paypal-provider-types.ts';

const dateOf = (text: string | undefined | null): Date | null => {
  if (!text) return null;
  const time = Date.parse(text);
  return Number.isNaN(time) ? null : new Date(time);
};

/** True while the subscription is in its trial cycle: a TRIAL tenure with cycles left to run. */
function isInsideTrial(subscription: Subscription): boolean {
  const trial = subscription.billingInfo?.cycleExecutions?.find((cycle) => String(cycle.tenureType) === 'TRIAL');
  if (!trial) return false;
  if (trial.cyclesRemaining !== undefined) return trial.cyclesRemaining > 0;
  return trial.totalCycles !== undefined && trial.cyclesCompleted < trial.totalCycles;
}

/** When the last trial cycle ends, which is when the first regular charge is due; known while inside the last trial cycle. */
function trialEndOf(subscription: Subscription): Date | null {
  const trial = subscription.billingInfo?.cycleExecutions?.find((cycle) => String(cycle.tenureType) === 'TRIAL');
  if (!trial || !isInsideTrial(subscription)) return null;
  const lastTrialCycle = trial.cyclesRemaining === 1 || (trial.totalCycles !== undefined && trial.totalCycles - trial.cyclesCompleted === 1);
  return lastTrialCycle ? dateOf(subscription.billingInfo?.nextBillingTime) : null;
}

/** PayPal's statuses in recur's terms: approval is incomplete, suspension (failed payments) is past due, cancelled and expired are ended. */
export function toRecurSubscriptionStatus(subscription: Subscription): RecurSubscriptionStatus {
  switch (String(subscription.status ?? '')) {
    case 'ACTIVE':
      return isInsideTrial(subscription) ? 'trialing' : 'active';
    case 'SUSPENDED':
      return 'past_due';
    case 'CANCELLED':
    case 'EXPIRED':
      return 'canceled';
    default:
      // APPROVAL_PENDING and APPROVED: the buyer has not finished, nothing is billed yet.
      return 'incomplete';
  }
}

/**
 * A subscription as PayPal answered it (SDK model) in recur's shape. Every date is PayPal's own
 * (start, last payment, next billing, status change), never the time of an event about it.
 */
export function toPaypalProviderSubscription(subscription: Subscription): PaypalProviderSubscription {
  if (!subscription.id) throw new TypeError('a PayPal subscription without an id');
  const status = toRecurSubscriptionStatus(subscription);
  const billing = subscription.billingInfo;
  const lastPaymentAt = dateOf(billing?.lastPayment?.time);
  const failedPaymentsCount = billing?.failedPaymentsCount ?? 0;
  const insideTrial = status === 'trialing';
  return {
    id: subscription.id,
    providerCustomerId: subscription.subscriber?.payerId ?? null,
    status,
    priceId: subscription.planId ?? null,
    priceLookupKey: null,
    trialEnd: trialEndOf(subscription),
    // The period that the last payment paid for began with it; a trial's period with the start.
    currentPeriodStart: insideTrial ? dateOf(subscription.startTime) : (lastPaymentAt ?? dateOf(subscription.startTime)),
    currentPeriodEnd: dateOf(billing?.nextBillingTime),
    cancelAtPeriodEnd: false,
    canceledAt: status === 'canceled' ? dateOf(subscription.statusUpdateTime ?? subscription.updateTime) : null,
    metadata: {},
    pastDueSince: failedPaymentsCount > 0 || status === 'past_due' ? dateOf(billing?.lastFailedPayment?.time) : null,
    paypalStatus: String(subscription.status ?? ''),
    customId: subscription.customId ?? null,
    payerEmail: subscription.subscriber?.emailAddress ?? null,
    failedPaymentsCount,
    lastPaymentAt,
  };
}
