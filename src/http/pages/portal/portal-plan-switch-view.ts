import type { SubscriptionRecord } from '../../../db/repositories/subscription-repository.ts';
import { getPlanName, type Plan } from '../../../domain/plan.ts';
import { providerName } from '../../../domain/provider.ts';
import { formatAmount, formatDate, formatFrequency } from '../../../notifications/format-notice-values.ts';
import type { PlanSwitchPreview } from '../../../services/subscription-changes/preview-plan-switch.ts';
import type { PageLocale } from '../../render-html-page.ts';
import { billingText } from './portal-billing-text.ts';
import { fill } from './portal-text.ts';

/** The preview of a plan switch in words, and what the confirm form sends back. */
export type PlanSwitchView = {
  subscriptionId: string;
  toPlan: string;
  heading: string;
  facts: { term: string; value: string }[];
  notes: string[];
  prorationDate: string;
};

export function viewPlanSwitch(subscription: SubscriptionRecord, preview: PlanSwitchPreview, prorates: boolean, settings: { locale: PageLocale; timeZone: string; plans: readonly Plan[] }): PlanSwitchView {
  const { locale, timeZone } = settings;
  const words = billingText(locale);
  const name = (id: string) => {
    const plan = settings.plans.find((candidate) => candidate.id === id);
    return plan ? `${getPlanName(plan, locale)} (${formatAmount(plan.amountMinor, plan.currency, locale)} ${formatFrequency(plan.interval, locale)})` : id;
  };
  const money = (amount: { amountMinor: number; currency: string }) => formatAmount(amount.amountMinor, amount.currency, locale);
  const date = (instant: Date) => formatDate(instant, locale, timeZone);
  const facts: PlanSwitchView['facts'] = [];
  const notes: string[] = [];
  const trialing = subscription.status === 'trialing';
  if (!prorates && !trialing && preview.nextRenewal) {
    notes.push(fill(words.nextCycleNote, { provider: providerName(subscription.provider), date: date(preview.nextRenewal.at), amount: money(preview.nextRenewal) }));
  } else {
    facts.push({ term: words.chargedNow, value: preview.amountDue.amountMinor > 0 ? money(preview.amountDue) : words.chargedNowNothing });
    if (preview.amountDue.amountMinor > 0) notes.push(words.proratedNote);
    if (trialing && subscription.trialEnd) notes.push(fill(words.trialContinues, { date: date(subscription.trialEnd) }));
  }
  if (preview.nextRenewal) facts.push({ term: words.nextRenewal, value: fill(words.renewsOn, { amount: money(preview.nextRenewal), date: date(preview.nextRenewal.at) }) });
  if (preview.endsAt) notes.push(fill(words.endsAfterSwitch, { date: date(preview.endsAt) }));
  if (preview.creditCarriedForward.amountMinor > 0) notes.push(fill(words.creditKept, { amount: money(preview.creditCarriedForward) }));
  return {
    subscriptionId: subscription.id,
    toPlan: preview.toPlan,
    heading: fill(words.changeFromTo, { from: name(preview.fromPlan), to: name(preview.toPlan) }),
    facts,
    notes,
    prorationDate: preview.prorationDate.toISOString(),
  };
}
