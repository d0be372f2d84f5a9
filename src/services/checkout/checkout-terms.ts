import type { Locale } from '../../db/repositories/customer-repository.ts';
import type { Money } from '../../domain/money.ts';
import { grantedTrialDays, type FreeTrialRefusal } from '../../domain/new-subscription-terms.ts';
import { getPlanPrice, type Plan } from '../../domain/plan.ts';
import { formatAmount, formatFrequency } from '../../notifications/format-notice-values.ts';
import type { AllowedSubscriptionTerms } from '../subscriptions/require-new-subscription-terms.ts';

/** What a checkout sells, as its answer tells the shop and its hosted page tells the customer. */
export type CheckoutTerms = {
  planId: string;
  price: Money;
  interval: Plan['interval'];
  trialDays: number;
  trialRefused: FreeTrialRefusal | null;
  /** Before any promotion code the customer enters on Stripe's page. */
  dueToday: Money;
  /** A one-time checkout: the prepaid time it buys (as of now; recorded from the payment's time). */
  prepaid: { periods: number; startsAt: Date; until: Date } | null;
};

export function buildCheckoutTerms(plan: Plan, allowed: AllowedSubscriptionTerms): CheckoutTerms {
  const price = getPlanPrice(plan);
  const trialDays = grantedTrialDays(plan.trialDays, allowed);
  return {
    planId: plan.id,
    price,
    interval: plan.interval,
    trialDays,
    trialRefused: allowed.freeTrial || plan.trialDays === 0 ? null : allowed.refusal,
    dueToday: { amountMinor: trialDays > 0 ? 0 : price.amountMinor, currency: price.currency },
    prepaid: null,
  };
}

const WORDS: Record<Locale, { trialOnce: (days: number) => string; trialUsed: (price: string) => string }> = {
  nl: {
    trialOnce: (days) => `De gratis proefperiode van ${days} dagen geldt eenmalig, voor je eerste abonnement.`,
    trialUsed: (price) => `Je had al eerder een abonnement of proefperiode, dus dit abonnement heeft geen gratis proefperiode: de eerste betaling van ${price} wordt vandaag afgeschreven.`,
  },
  en: {
    trialOnce: (days) => `The ${days}-day free trial is once per customer, for your first subscription.`,
    trialUsed: (price) => `You have had a subscription or free trial before, so this subscription has no free trial: the first payment of ${price} is charged today.`,
  },
};

/**
 * The line above Checkout's pay button: Stripe's page shows a trial or a charge today, but not
 * why, and a returning customer who expected the advertised trial must read why before paying.
 */
export function describeCheckoutTerms(terms: CheckoutTerms, trialOncePerCustomer: boolean, locale: Locale): string | null {
  const words = WORDS[locale];
  if (terms.trialRefused) return words.trialUsed(`${formatAmount(terms.price.amountMinor, terms.price.currency, locale)} ${formatFrequency(terms.interval, locale)}`);
  if (terms.trialDays > 0 && trialOncePerCustomer) return words.trialOnce(terms.trialDays);
  return null;
}
