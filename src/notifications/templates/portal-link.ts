import type { z } from 'zod';
import { formatDate, formatTime } from '../format-notice-values.ts';
import type { CustomerNoticePayloads } from '../notice-catalogue.ts';
import { writeCustomerLetter } from './customer-letter.ts';
import { defineCustomerNotice } from './notice-template.ts';
import { SUBSCRIPTION_PLACEHOLDERS, instant, subscriptionFactsSchema, subscriptionValues } from './subscription-facts.ts';

/**
 * The answer to "send me a link to manage my subscription" (the page behind a notice's manage
 * link): a one-time way into the portal, valid for an hour, so no long-lived login link sits in
 * old mail. The link is made when the e-mail is sent (render-claimed-notice.ts).
 */
export const portalLink = defineCustomerNotice({
  schema: subscriptionFactsSchema.extend({ expires_at: instant }) satisfies z.ZodType<CustomerNoticePayloads['portal-link']>,
  placeholders: [...SUBSCRIPTION_PLACEHOLDERS, 'portal_entry_url', 'expires_date', 'expires_time'],
  required: { email: ['portal_entry_url'] },
  values: (facts, context) => ({
    ...subscriptionValues(facts, context),
    // The manage link in the footer would only lead back here.
    portal_url: '',
    portal_entry_url: context.links.portal_entry ?? '',
    expires_date: formatDate(facts.expires_at, context.locale, context.timeZone),
    expires_time: formatTime(facts.expires_at, context.locale, context.timeZone),
  }),
  copy: {
    nl: (v) => ({
      subject: `Je link naar je abonnement bij ${v.shop_name}`,
      blocks: writeCustomerLetter('nl', v, [
        { kind: 'paragraph', text: `Je vroeg om een link om je abonnement ${v.plan_name} te bekijken en te beheren. Met deze knop kom je in je abonnementsoverzicht:` },
        { kind: 'action', label: 'Mijn abonnement openen', url: v.portal_entry_url },
        { kind: 'paragraph', text: `De link werkt één keer en tot ${v.expires_date} om ${v.expires_time}. Heb je er niet om gevraagd? Dan kun je deze e-mail negeren: er is niets veranderd.` },
      ]),
    }),
    en: (v) => ({
      subject: `Your link to your subscription with ${v.shop_name}`,
      blocks: writeCustomerLetter('en', v, [
        { kind: 'paragraph', text: `You asked for a link to see and manage your ${v.plan_name} subscription. This button opens your subscription overview:` },
        { kind: 'action', label: 'Open my subscription', url: v.portal_entry_url },
        { kind: 'paragraph', text: `The link works once, until ${v.expires_time} on ${v.expires_date}. Did you not ask for it? Then you can ignore this e-mail: nothing was changed.` },
      ]),
    }),
  },
});
