import { createHash } from 'node:crypto';
import type { Locale } from '../../db/repositories/customer-repository.ts';
import { getPlanName, type Plan } from '../../domain/plan.ts';
import { formatAmount, formatDate, formatFrequency } from '../../notifications/format-notice-values.ts';
import type { CheckoutTerms } from '../checkout/checkout-terms.ts';

/**
 * The wording of the terms the plan picker states before payment. A change of these words is a
 * new version: a recorded consent names the version and keeps the words themselves.
 */
export const SIGNUP_TERMS_VERSION = 'portal-signup-terms/1';

const DAY_MS = 86_400_000;

/** What the terms state, as facts: what is due at checkout, when the first charge falls. */
export type StatedTerms = { terms: CheckoutTerms; firstChargeAt: Date; sentences: string[]; text: string; digest: string };

type Words = {
  trial: (days: number, until: string) => string;
  nothingToday: string;
  afterTrial: (plan: string, price: string, first: string, every: string) => string;
  trialOnce: string;
  trialUsed: string;
  chargeToday: (price: string, every: string) => string;
  cancelTrial: (until: string) => string;
  cancelPaid: string;
  every: Record<Plan['interval'], string>;
};

const WORDS: Record<Locale, Words> = {
  nl: {
    trial: (days, until) => `Gratis proefperiode: ${days} dagen, tot ${until}.`,
    nothingToday: 'Vandaag betaal je niets.',
    afterTrial: (plan, price, first, every) => `Na de proefperiode kost ${plan} ${price}: de eerste betaling is op ${first}, daarna ${every} op dezelfde datum, tot je opzegt.`,
    trialOnce: 'De gratis proefperiode geldt eenmalig, voor je eerste abonnement.',
    trialUsed: 'Je had al eerder een abonnement of proefperiode, dus dit abonnement heeft geen gratis proefperiode.',
    chargeToday: (price, every) => `De eerste betaling van ${price} wordt vandaag afgeschreven, daarna ${every} op dezelfde datum, tot je opzegt.`,
    cancelTrial: (until) => `Opzeggen kan altijd, hier in je abonnementsoverzicht met de knop "Abonnement opzeggen". Zeg je op vóór ${until}, dan betaal je niets.`,
    cancelPaid: 'Opzeggen kan altijd, hier in je abonnementsoverzicht met de knop "Abonnement opzeggen". Je abonnement loopt dan af aan het einde van de betaalde periode; daarna wordt er niets meer afgeschreven.',
    every: { month: 'elke maand', year: 'elk jaar' },
  },
  en: {
    trial: (days, until) => `Free trial: ${days} days, until ${until}.`,
    nothingToday: 'You pay nothing today.',
    afterTrial: (plan, price, first, every) => `After the trial, ${plan} costs ${price}: the first charge is on ${first}, then ${every} on the same date, until you cancel.`,
    trialOnce: 'The free trial is once per customer, for your first subscription.',
    trialUsed: 'You have had a subscription or free trial before, so this subscription has no free trial.',
    chargeToday: (price, every) => `The first payment of ${price} is charged today, then ${every} on the same date, until you cancel.`,
    cancelTrial: (until) => `You can cancel at any time, here in your subscription overview with the "Cancel subscription" button. Cancel before ${until} and you pay nothing.`,
    cancelPaid: 'You can cancel at any time, here in your subscription overview with the "Cancel subscription" button. Your subscription then ends at the end of the paid period; nothing is charged after that.',
    every: { month: 'every month', year: 'every year' },
  },
};

/**
 * The terms of one plan as the card networks ask them to be stated before a trial is paid for:
 * how long the trial is, the price after it, the date of the first charge (from recur's clock,
 * in the customer's time zone), and how to cancel. Without a trial: what is charged today and
 * after. The digest lets the form carry which words were shown, so a changed offer is noticed.
 */
export function stateSignupTerms(plan: Plan, terms: CheckoutTerms, context: { now: Date; locale: Locale; timeZone: string; trialOncePerCustomer: boolean }): StatedTerms {
  const { locale, now } = context;
  const words = WORDS[locale];
  const price = `${formatAmount(terms.price.amountMinor, terms.price.currency, locale)} ${formatFrequency(terms.interval, locale)}`;
  const firstChargeAt = new Date(now.getTime() + terms.trialDays * DAY_MS);
  const date = (instant: Date) => formatDate(instant, locale, context.timeZone);
  const sentences: string[] = [];
  if (terms.trialDays > 0) {
    sentences.push(`${words.trial(terms.trialDays, date(firstChargeAt))} ${words.nothingToday}`);
    sentences.push(words.afterTrial(getPlanName(plan, locale), price, date(firstChargeAt), words.every[terms.interval]));
    if (context.trialOncePerCustomer) sentences.push(words.trialOnce);
    sentences.push(words.cancelTrial(date(firstChargeAt)));
  } else {
    if (terms.trialRefused) sentences.push(words.trialUsed);
    sentences.push(words.chargeToday(formatAmount(terms.price.amountMinor, terms.price.currency, locale), words.every[terms.interval]));
    sentences.push(words.cancelPaid);
  }
  const text = sentences.join('\n');
  const digest = createHash('sha256').update(`${SIGNUP_TERMS_VERSION}\n${locale}\n${plan.id}\n${text}`).digest('base64url').slice(0, 22);
  return { terms, firstChargeAt, sentences, text, digest };
}
