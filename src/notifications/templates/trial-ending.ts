import { writeCustomerLetter } from './customer-letter.ts';
import { defineCustomerNotice } from './notice-template.ts';
import { SUBSCRIPTION_PLACEHOLDERS, subscriptionFactsSchema, subscriptionValues } from './subscription-facts.ts';

/** A few days before the trial ends (TRIAL_ENDING_DAYS): a last word before the first charge. */
export const trialEnding = defineCustomerNotice({
  schema: subscriptionFactsSchema,
  placeholders: [...SUBSCRIPTION_PLACEHOLDERS, 'first_charge_date'],
  required: { email: ['cancel_url'] },
  values: (facts, context) => {
    const values = subscriptionValues(facts, context);
    return { ...values, first_charge_date: values.next_charge_date || values.trial_end_date };
  },
  copy: {
    nl: (v, facts) => ({
      subject: `${facts.trial_paid ? 'Je vooruitbetaalde tijd' : 'Je proefperiode'} bij ${v.shop_name} eindigt op ${v.trial_end_date}`,
      blocks: writeCustomerLetter('nl', v, [
        { kind: 'paragraph', text: `${facts.trial_paid ? 'De tijd die je vooruit hebt betaald' : 'Je proefperiode'} voor ${v.plan_name} eindigt op ${v.trial_end_date}. Daarna betaal je ${v.amount} ${v.frequency}; de eerste betaling is op ${v.first_charge_date}.` },
        { kind: 'paragraph', text: 'Wil je niet verder? Zeg dan vóór die datum online op.' },
        { kind: 'action', label: 'Online opzeggen', url: v.cancel_url },
      ]),
    }),
    en: (v, facts) => ({
      subject: `${facts.trial_paid ? 'Your prepaid time' : 'Your trial'} with ${v.shop_name} ends on ${v.trial_end_date}`,
      blocks: writeCustomerLetter('en', v, [
        { kind: 'paragraph', text: `${facts.trial_paid ? 'The time you paid for in advance' : 'Your trial'} for ${v.plan_name} ends on ${v.trial_end_date}. After that you pay ${v.amount} ${v.frequency}; the first payment is on ${v.first_charge_date}.` },
        { kind: 'paragraph', text: "Don't want to continue? Cancel online before that date." },
        { kind: 'action', label: 'Cancel online', url: v.cancel_url },
      ]),
    }),
  },
});
