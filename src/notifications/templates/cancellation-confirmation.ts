import type { z } from 'zod';
import { formatDate } from '../format-notice-values.ts';
import type { CustomerNoticePayloads } from '../notice-catalogue.ts';
import { writeCustomerLetter } from './customer-letter.ts';
import { defineCustomerNotice } from './notice-template.ts';
import { SUBSCRIPTION_PLACEHOLDERS, instant, subscriptionFactsSchema, subscriptionValues } from './subscription-facts.ts';

/** When a subscription is cancelled: until when it still runs, and that nothing more is charged. */
export const cancellationConfirmation = defineCustomerNotice({
  schema: subscriptionFactsSchema.extend({ ends_at: instant, canceled_at: instant }) satisfies z.ZodType<CustomerNoticePayloads['cancellation-confirmation']>,
  placeholders: [...SUBSCRIPTION_PLACEHOLDERS, 'ends_date', 'canceled_date'],
  values: (facts, context) => ({
    ...subscriptionValues(facts, context),
    ends_date: formatDate(facts.ends_at, context.locale, context.timeZone),
    canceled_date: formatDate(facts.canceled_at, context.locale, context.timeZone),
  }),
  copy: {
    nl: (v, facts) => ({
      subject: `Je abonnement ${v.plan_name} bij ${v.shop_name} is opgezegd`,
      blocks: writeCustomerLetter(
        'nl',
        v,
        [
          {
            kind: 'paragraph',
            text: endsLater(facts)
              ? `Je hebt je abonnement ${v.plan_name} op ${v.canceled_date} opgezegd. Je kunt het nog gebruiken tot ${v.ends_date}; daarna stopt het en betaal je niets meer.`
              : `Je abonnement ${v.plan_name} is op ${v.canceled_date} per direct beëindigd. Je betaalt niets meer.`,
          },
          { kind: 'paragraph', text: `Jammer dat je weggaat. Je bent altijd welkom om opnieuw een abonnement te nemen bij ${v.shop_name}.` },
        ],
        'canceled',
      ),
    }),
    en: (v, facts) => ({
      subject: `Your ${v.plan_name} subscription with ${v.shop_name} is cancelled`,
      blocks: writeCustomerLetter(
        'en',
        v,
        [
          {
            kind: 'paragraph',
            text: endsLater(facts)
              ? `You cancelled your ${v.plan_name} subscription on ${v.canceled_date}. You can keep using it until ${v.ends_date}; after that it stops and you will not be charged again.`
              : `Your ${v.plan_name} subscription ended immediately on ${v.canceled_date}. You will not be charged again.`,
          },
          { kind: 'paragraph', text: `We are sorry to see you go. You are always welcome to subscribe to ${v.shop_name} again.` },
        ],
        'canceled',
      ),
    }),
  },
});

/** Cancelled at period end, rather than at once. */
const endsLater = (facts: { ends_at: string; canceled_at: string }) => Date.parse(facts.ends_at) > Date.parse(facts.canceled_at);
