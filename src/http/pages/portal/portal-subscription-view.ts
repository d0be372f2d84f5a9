import type { SubscriptionRecord } from '../../../db/repositories/subscription-repository.ts';
import { getPlanName, type Plan } from '../../../domain/plan.ts';
import { providerName } from '../../../domain/provider.ts';
import { formatAmount, formatDate, formatFrequency } from '../../../notifications/format-notice-values.ts';
import type { PageLocale } from '../../render-html-page.ts';
import { billingText } from './portal-billing-text.ts';
import { fill, portalText } from './portal-text.ts';
import { canWithdraw } from '../../../services/portal/portal-withdrawal.ts';
import { lastDayOfWithdrawal } from '../../../domain/withdrawal.ts';
import { withdrawalPeriodEndOf } from '../../../services/withdrawals/withdrawal-period.ts';

/** One subscription as the portal shows it: facts in words, and what the customer may do with it. */
export type SubscriptionView = {
  id: string;
  planName: string;
  facts: { term: string; value: string }[];
  /** A payment failed: what the customer has to do. */
  warning: string | null;
  canCancel: boolean;
  canResume: boolean;
  /** Monthly <-> yearly (portal-plan-routes.ts): a running subscription whose payments are in order. */
  canChangePlan: boolean;
  /** Update payment method (portal-payment-method-routes.ts): whenever something is or will be charged. */
  canUpdatePaymentMethod: boolean;
  /** When it ends if cancelled at period end now (or when it ends, once it is set to). */
  endDate: string | null;
  /** Within 14 days of signing up: the last day the customer may withdraw; null once they may not. */
  withdrawUntil?: string | null;
};

export type ViewSettings = { locale: PageLocale; timeZone: string; plans: readonly Plan[]; now?: Date };

/** The end of the paid time: recur's own scheduled cancel, else the period (for a trial: the trial's end). */
export const endOfPaidTime = (subscription: SubscriptionRecord): Date | null => subscription.scheduledCancel?.at ?? subscription.currentPeriodEnd ?? subscription.trialEnd;

const isRunning = (subscription: SubscriptionRecord): boolean => ['trialing', 'active', 'past_due'].includes(subscription.status);

export function viewSubscription(subscription: SubscriptionRecord, settings: ViewSettings): SubscriptionView {
  const { locale, timeZone } = settings;
  const words = portalText(locale);
  const date = (instant: Date | null) => (instant ? formatDate(instant, locale, timeZone) : '');
  const plan = settings.plans.find((candidate) => candidate.id === subscription.planId);
  const planName = plan ? getPlanName(plan, locale) : subscription.planId;
  const ending = subscription.cancelAtPeriodEnd || subscription.scheduledCancel !== null;
  const end = endOfPaidTime(subscription);
  const facts = [{ term: words.plan, value: plan ? `${planName}, ${formatAmount(plan.amountMinor, plan.currency, locale)} ${formatFrequency(plan.interval, locale)}` : planName }];
  facts.push({ term: words.status, value: statusInWords(subscription, ending, words, date) });
  const nextChargeAt = subscription.status === 'trialing' ? subscription.trialEnd : subscription.currentPeriodEnd;
  if (plan && (subscription.status === 'trialing' || subscription.status === 'active') && !ending && nextChargeAt) {
    facts.push({ term: words.nextCharge, value: fill(words.chargeOn, { amount: formatAmount(plan.amountMinor, plan.currency, locale), date: date(nextChargeAt) }) });
  }
  facts.push({ term: words.paidThrough, value: providerName(subscription.provider) });
  // The mandate is what the customer finds on their bank statement beside each debit.
  if (subscription.mandateReference && isRunning(subscription)) facts.push({ term: words.paymentMethod, value: fill(words.directDebit, { reference: subscription.mandateReference }) });
  return {
    id: subscription.id,
    planName,
    facts,
    warning: warningOf(subscription, planName, locale),
    canCancel: isRunning(subscription) && !ending,
    canResume: subscription.status !== 'canceled' && ending,
    canChangePlan: subscription.status === 'trialing' || subscription.status === 'active',
    canUpdatePaymentMethod: isRunning(subscription) || subscription.status === 'incomplete',
    endDate: end ? date(end) : null,
    withdrawUntil: settings.now && canWithdraw(subscription, timeZone, settings.now) ? date(lastDayOfWithdrawal(withdrawalPeriodEndOf(subscription, timeZone))) : null,
  };
}

function statusInWords(subscription: SubscriptionRecord, ending: boolean, words: ReturnType<typeof portalText>, date: (instant: Date | null) => string): string {
  if (subscription.status === 'canceled') return fill(words.endedOn, { date: date(subscription.canceledAt ?? subscription.currentPeriodEnd) });
  if (ending) return fill(words.endsOn, { date: date(endOfPaidTime(subscription)) });
  switch (subscription.status) {
    case 'trialing':
      return fill(words.trialUntil, { date: date(subscription.trialEnd) });
    case 'active':
      return words.active;
    case 'past_due':
      return fill(words.pastDueSince, { date: date(subscription.pastDueSince) });
    case 'paused':
      return words.paused;
    case 'incomplete':
      return words.incomplete;
  }
}

/** A payment failed or waits for the customer (past due, or a first payment that is incomplete): what to do about it. */
function warningOf(subscription: SubscriptionRecord, planName: string, locale: PageLocale): string | null {
  if (subscription.status === 'past_due') return fill(portalText(locale).pastDueBanner, { plan: planName });
  if (subscription.status === 'incomplete') return fill(billingText(locale).incompleteBanner, { plan: planName });
  return null;
}
