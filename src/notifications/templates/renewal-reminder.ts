import { writeCustomerLetter } from './customer-letter.ts';
import { defineCustomerNotice } from './notice-template.ts';
import { directDebitBlocks } from './direct-debit-facts.ts';
import { SUBSCRIPTION_PLACEHOLDERS, subscriptionFactsSchema, subscriptionValues } from './subscription-facts.ts';

/** Before a yearly renewal (RENEWAL_REMINDER_DAYS): a year's price should never come as a surprise. */
export const renewalReminder = defineCustomerNotice({
  schema: subscriptionFactsSchema,
  placeholders: [...SUBSCRIPTION_PLACEHOLDERS, 'renewal_date'],
  required: { email: ['cancel_url'] },
  values: (facts, context) => {
    const values = subscriptionValues(facts, context);
    return { ...values, renewal_date: values.next_charge_date };
  },
  copy: {
    nl: (v) => ({
      subject: `Je abonnement ${v.plan_name} wordt op ${v.renewal_date} verlengd`,
      blocks: writeCustomerLetter('nl', v, [
        { kind: 'paragraph', text: `Op ${v.renewal_date} verlengen we je abonnement ${v.plan_name} bij ${v.shop_name} automatisch.` },
        {
          kind: 'facts',
          rows: [
            ['Verlenging op', v.renewal_date],
            ['Bedrag', `${v.amount} ${v.frequency}`],
          ],
        },
        ...directDebitBlocks('nl', v, v.renewal_date),
        { kind: 'paragraph', text: 'Wil je niet verlengen? Zeg dan vóór die datum online op; je abonnement loopt dan nog tot het einde van de betaalde periode.' },
        { kind: 'action', label: 'Online opzeggen', url: v.cancel_url },
      ]),
    }),
    en: (v) => ({
      subject: `Your ${v.plan_name} subscription renews on ${v.renewal_date}`,
      blocks: writeCustomerLetter('en', v, [
        { kind: 'paragraph', text: `On ${v.renewal_date} we will renew your ${v.plan_name} subscription with ${v.shop_name} automatically.` },
        {
          kind: 'facts',
          rows: [
            ['Renews on', v.renewal_date],
            ['Amount', `${v.amount} ${v.frequency}`],
          ],
        },
        ...directDebitBlocks('en', v, v.renewal_date),
        { kind: 'paragraph', text: "Don't want to renew? Cancel online before that date; your subscription then runs until the end of the period you paid for." },
        { kind: 'action', label: 'Cancel online', url: v.cancel_url },
      ]),
    }),
  },
});
