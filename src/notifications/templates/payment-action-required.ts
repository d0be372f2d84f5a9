import { z } from 'zod';
import { formatAmount } from '../format-notice-values.ts';
import type { CustomerNoticePayloads } from '../notice-catalogue.ts';
import { writeCustomerLetter } from './customer-letter.ts';
import { defineCustomerNotice, type CustomerContext } from './notice-template.ts';
import { SUBSCRIPTION_PLACEHOLDERS, minorUnits, subscriptionFactsSchema, subscriptionValues } from './subscription-facts.ts';

const webAddress = z.url({ protocol: /^https?$/ });

/**
 * A renewal the bank holds for strong customer authentication (PSD2): nothing failed, the customer
 * only has to confirm the payment on the provider's page. Reminders follow the dunning schedule;
 * the last one says what happens when it stays unconfirmed.
 */
const schema = subscriptionFactsSchema.extend({
  payment_id: z.string().min(1),
  amount_due_minor: minorUnits.positive(),
  action_url: webAddress,
  step: z.number().int().positive().optional(),
  of: z.number().int().positive().optional(),
});

const PLACEHOLDERS = [...SUBSCRIPTION_PLACEHOLDERS, 'amount_due', 'action_url'] as const;

function values(facts: z.output<typeof schema>, context: CustomerContext) {
  return { ...subscriptionValues(facts, context), amount_due: formatAmount(facts.amount_due_minor, facts.currency, context.locale), action_url: facts.action_url };
}

const isLast = (facts: z.output<typeof schema>) => facts.step !== undefined && facts.step === facts.of;

export const paymentActionRequired = defineCustomerNotice({
  schema: schema satisfies z.ZodType<CustomerNoticePayloads['payment-action-required']>,
  placeholders: PLACEHOLDERS,
  required: { email: ['amount_due', 'action_url', 'cancel_url'], sms: ['amount_due', 'action_url'] },
  values,
  copy: {
    nl: (v, facts) => ({
      subject: facts.step ? `Herinnering: bevestig je betaling van ${v.amount_due}` : `Bevestig je betaling van ${v.amount_due}`,
      blocks: writeCustomerLetter('nl', v, [
        { kind: 'paragraph', text: `Je bank vraagt je de betaling van ${v.amount_due} voor je abonnement ${v.plan_name} zelf te bevestigen (sterke klantauthenticatie). Er is nog niets afgeschreven. Bevestig de betaling via de knop hieronder, dan loopt je abonnement gewoon door.` },
        ...(isLast(facts) ? [{ kind: 'paragraph' as const, text: 'Dit is onze laatste herinnering: blijft de betaling onbevestigd, dan stoppen we je abonnement.' }] : []),
        { kind: 'action', label: 'Betaling bevestigen', url: v.action_url },
      ]),
      sms: `${v.shop_name}: bevestig je betaling van ${v.amount_due} voor ${v.plan_name}: ${v.action_url}`,
    }),
    en: (v, facts) => ({
      subject: facts.step ? `Reminder: confirm your payment of ${v.amount_due}` : `Confirm your payment of ${v.amount_due}`,
      blocks: writeCustomerLetter('en', v, [
        { kind: 'paragraph', text: `Your bank asks you to confirm the payment of ${v.amount_due} for your ${v.plan_name} subscription yourself (strong customer authentication). Nothing has been charged yet. Confirm the payment with the button below and your subscription simply continues.` },
        ...(isLast(facts) ? [{ kind: 'paragraph' as const, text: 'This is our final reminder: if the payment stays unconfirmed, we will end your subscription.' }] : []),
        { kind: 'action', label: 'Confirm payment', url: v.action_url },
      ]),
      sms: `${v.shop_name}: please confirm your payment of ${v.amount_due} for ${v.plan_name}: ${v.action_url}`,
    }),
  },
});
