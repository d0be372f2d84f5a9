import type { z } from 'zod';
import { formatAmount, formatDateTime } from '../format-notice-values.ts';
import type { CustomerNoticePayloads } from '../notice-catalogue.ts';
import { writeCustomerLetter } from './customer-letter.ts';
import { defineCustomerNotice } from './notice-template.ts';
import { SUBSCRIPTION_PLACEHOLDERS, currencyCode, instant, minorUnits, subscriptionFactsSchema, subscriptionValues } from './subscription-facts.ts';

/**
 * The acknowledgement of a withdrawal within 14 days (EU 2023/2673, Art. 11a: "without undue delay,
 * on a durable medium", with the date and time): what ended, when, and what is refunded.
 */
export const withdrawalConfirmation = defineCustomerNotice({
  schema: subscriptionFactsSchema.extend({ withdrawn_at: instant, refund_minor: minorUnits, refund_currency: currencyCode }) satisfies z.ZodType<CustomerNoticePayloads['withdrawal-confirmation']>,
  placeholders: [...SUBSCRIPTION_PLACEHOLDERS, 'withdrawn_at', 'refund_amount'],
  required: { email: ['withdrawn_at'] },
  values: (facts, context) => ({
    ...subscriptionValues(facts, context),
    withdrawn_at: formatDateTime(facts.withdrawn_at, context.locale, context.timeZone),
    refund_amount: formatAmount(facts.refund_minor, facts.refund_currency, context.locale),
  }),
  copy: {
    nl: (v, facts) => ({
      subject: `Bevestiging: je hebt je abonnement ${v.plan_name} bij ${v.shop_name} herroepen`,
      blocks: writeCustomerLetter(
        'nl',
        v,
        [
          { kind: 'paragraph', text: `We hebben je herroeping ontvangen op ${v.withdrawn_at}. Je abonnement ${v.plan_name} is daarmee per direct beëindigd en er wordt niets meer afgeschreven.` },
          {
            kind: 'paragraph',
            text: facts.refund_minor > 0 ? `We betalen ${v.refund_amount} terug op de manier waarop je hebt betaald. Afhankelijk van je bank of PayPal zie je het bedrag binnen enkele werkdagen terug.` : 'Je hebt voor dit abonnement niets betaald dat terugbetaald moet worden.',
          },
        ],
        'canceled',
      ),
    }),
    en: (v, facts) => ({
      subject: `Confirmation: you withdrew from your ${v.plan_name} subscription with ${v.shop_name}`,
      blocks: writeCustomerLetter(
        'en',
        v,
        [
          { kind: 'paragraph', text: `We received your withdrawal on ${v.withdrawn_at}. Your ${v.plan_name} subscription has ended immediately and nothing more will be charged.` },
          {
            kind: 'paragraph',
            text: facts.refund_minor > 0 ? `We are refunding ${v.refund_amount} to the way you paid. Depending on your bank or PayPal, it reaches you within a few working days.` : 'You paid nothing for this subscription that needs to be refunded.',
          },
        ],
        'canceled',
      ),
    }),
  },
});
