import { formatAmount } from '../format-notice-values.ts';
import { writeCustomerLetter } from './customer-letter.ts';
import { defineCustomerNotice, type Block } from './notice-template.ts';
import { directDebitBlocks } from './direct-debit-facts.ts';
import { SUBSCRIPTION_PLACEHOLDERS, subscriptionFactsSchema, subscriptionValues } from './subscription-facts.ts';

/**
 * The confirmation at sign-up. Visa and Mastercard require it for a free trial that turns into a
 * paid subscription: plan, price, frequency, trial end, date and amount of the first charge, that
 * nothing is due today, and how to cancel online.
 */
export const enrolmentConfirmation = defineCustomerNotice({
  schema: subscriptionFactsSchema,
  placeholders: [...SUBSCRIPTION_PLACEHOLDERS, 'first_charge_date', 'due_today'],
  required: { email: ['amount', 'frequency', 'first_charge_date', 'cancel_url'] },
  values: (facts, context) => ({
    ...subscriptionValues(facts, context),
    first_charge_date: subscriptionValues(facts, context).next_charge_date,
    // With a trial nothing is charged at sign-up; without one the first period is paid now.
    due_today: formatAmount(facts.trial_end ? 0 : facts.amount_minor, facts.currency, context.locale),
  }),
  copy: {
    nl: (v, facts) => {
      const terms: [string, string][] = [
        ['Abonnement', v.plan_name],
        ['Prijs', `${v.amount} ${v.frequency}`],
      ];
      if (facts.trial_end) terms.push([facts.trial_paid ? 'Vooruitbetaald tot' : 'Gratis proefperiode tot', v.trial_end_date]);
      if (v.first_charge_date) terms.push([facts.trial_end ? 'Eerste betaling' : 'Volgende betaling', `${v.amount} op ${v.first_charge_date}`]);
      terms.push(['Vandaag te betalen', v.due_today]);
      const blocks: Block[] = [
        { kind: 'paragraph', text: `Bedankt voor je aanmelding bij ${v.shop_name}. Dit zijn de voorwaarden van je abonnement:` },
        { kind: 'facts', rows: terms },
        {
          kind: 'paragraph',
          text: facts.trial_paid
            ? `Je hebt al betaald tot ${v.trial_end_date}: vandaag betaal je ${v.due_today}. Zeg je niet op vóór ${v.first_charge_date}, dan gaat je abonnement daarna automatisch verder en betaal je vanaf die dag ${v.amount} ${v.frequency}, tot je opzegt. Vóór de eerste betaling sturen we je nog een herinnering.`
            : facts.trial_end
            ? `Je proefperiode is gratis: vandaag betaal je ${v.due_today}. Zeg je niet op vóór ${v.first_charge_date}, dan betaal je vanaf die dag ${v.amount} ${v.frequency}, tot je opzegt. Vóór de eerste betaling sturen we je nog een herinnering.`
            : `Je abonnement loopt door tot je opzegt. Je betaalt ${v.amount} ${v.frequency}.`,
        },
        // The recurring debits' pre-notification: the mandate, the creditor and the first debit.
        ...directDebitBlocks('nl', v, v.first_charge_date),
        { kind: 'action', label: 'Online opzeggen', url: v.cancel_url },
      ];
      return { subject: `Bevestiging van je abonnement ${v.plan_name} bij ${v.shop_name}`, blocks: writeCustomerLetter('nl', v, blocks) };
    },
    en: (v, facts) => {
      const terms: [string, string][] = [
        ['Plan', v.plan_name],
        ['Price', `${v.amount} ${v.frequency}`],
      ];
      if (facts.trial_end) terms.push([facts.trial_paid ? 'Paid until' : 'Free trial until', v.trial_end_date]);
      if (v.first_charge_date) terms.push([facts.trial_end ? 'First payment' : 'Next payment', `${v.amount} on ${v.first_charge_date}`]);
      terms.push(['Due today', v.due_today]);
      const blocks: Block[] = [
        { kind: 'paragraph', text: `Thank you for signing up with ${v.shop_name}. These are the terms of your subscription:` },
        { kind: 'facts', rows: terms },
        {
          kind: 'paragraph',
          text: facts.trial_paid
            ? `You have already paid until ${v.trial_end_date}: you pay ${v.due_today} today. Unless you cancel before ${v.first_charge_date}, your subscription then continues automatically and you pay ${v.amount} ${v.frequency} from that day until you cancel. We will remind you before the first payment.`
            : facts.trial_end
            ? `Your trial is free: you pay ${v.due_today} today. Unless you cancel before ${v.first_charge_date}, you will pay ${v.amount} ${v.frequency} from that day until you cancel. We will remind you before the first payment.`
            : `Your subscription continues until you cancel. You pay ${v.amount} ${v.frequency}.`,
        },
        // The recurring debits' pre-notification: the mandate, the creditor and the first debit.
        ...directDebitBlocks('en', v, v.first_charge_date),
        { kind: 'action', label: 'Cancel online', url: v.cancel_url },
      ];
      return { subject: `Confirmation of your ${v.plan_name} subscription with ${v.shop_name}`, blocks: writeCustomerLetter('en', v, blocks) };
    },
  },
});
