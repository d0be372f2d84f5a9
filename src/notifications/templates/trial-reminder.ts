import { writeCustomerLetter } from './customer-letter.ts';
import { defineCustomerNotice } from './notice-template.ts';
import { directDebitBlocks } from './direct-debit-facts.ts';
import { SUBSCRIPTION_PLACEHOLDERS, subscriptionFactsSchema, subscriptionValues } from './subscription-facts.ts';

/**
 * The card networks' reminder, at least 7 days before a trial turns into a paid subscription:
 * the amount, the date of the first charge, the frequency, and a way to cancel online. Also sent
 * as SMS (short: shop, amount, date, cancel link) to a customer who consented.
 */
export const trialReminder = defineCustomerNotice({
  schema: subscriptionFactsSchema,
  placeholders: [...SUBSCRIPTION_PLACEHOLDERS, 'first_charge_date'],
  required: { email: ['amount', 'frequency', 'first_charge_date', 'cancel_url'], sms: ['amount', 'first_charge_date', 'cancel_url'] },
  values: (facts, context) => {
    const values = subscriptionValues(facts, context);
    return { ...values, first_charge_date: values.next_charge_date || values.trial_end_date };
  },
  copy: {
    nl: (v, facts) => ({
      subject: `Herinnering: op ${v.first_charge_date} betaal je ${v.amount} voor ${v.plan_name}`,
      blocks: writeCustomerLetter('nl', v, [
        { kind: 'paragraph', text: `${facts.trial_paid ? `De tijd die je bij ${v.shop_name} vooruit hebt betaald` : `Je gratis proefperiode bij ${v.shop_name}`} loopt bijna af. Daarna gaat je abonnement ${v.plan_name} automatisch verder en betaal je ${v.amount} ${v.frequency}.` },
        {
          kind: 'facts',
          rows: [
            ['Eerste betaling', `${v.amount} op ${v.first_charge_date}`],
            ['Daarna', `${v.amount} ${v.frequency}, tot je opzegt`],
          ],
        },
        ...directDebitBlocks('nl', v, v.first_charge_date),
        { kind: 'paragraph', text: `Wil je niet verder? Zeg dan vóór ${v.first_charge_date} online op, dan betaal je niets.` },
        { kind: 'action', label: 'Online opzeggen', url: v.cancel_url },
      ]),
      sms: `${v.shop_name}: ${facts.trial_paid ? 'je vooruitbetaalde tijd' : 'je proefperiode'} eindigt. Op ${v.first_charge_date} betaal je ${v.amount} ${v.frequency}. Opzeggen: ${v.cancel_url}`,
    }),
    en: (v, facts) => ({
      subject: `Reminder: on ${v.first_charge_date} you will pay ${v.amount} for ${v.plan_name}`,
      blocks: writeCustomerLetter('en', v, [
        { kind: 'paragraph', text: `${facts.trial_paid ? `The time you paid for in advance with ${v.shop_name}` : `Your free trial with ${v.shop_name}`} is ending soon. After it, your ${v.plan_name} subscription continues automatically and you pay ${v.amount} ${v.frequency}.` },
        {
          kind: 'facts',
          rows: [
            ['First payment', `${v.amount} on ${v.first_charge_date}`],
            ['After that', `${v.amount} ${v.frequency}, until you cancel`],
          ],
        },
        ...directDebitBlocks('en', v, v.first_charge_date),
        { kind: 'paragraph', text: `Don't want to continue? Cancel online before ${v.first_charge_date} and you pay nothing.` },
        { kind: 'action', label: 'Cancel online', url: v.cancel_url },
      ]),
      sms: `${v.shop_name}: ${facts.trial_paid ? 'your prepaid time' : 'your trial'} ends. On ${v.first_charge_date} you pay ${v.amount} ${v.frequency}. Cancel: ${v.cancel_url}`,
    }),
  },
});
