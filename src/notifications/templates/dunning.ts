import { z } from 'zod';
import { formatAmount, formatDate } from '../format-notice-values.ts';
import type { CustomerNoticePayloads } from '../notice-catalogue.ts';
import { writeCustomerLetter } from './customer-letter.ts';
import { defineCustomerNotice, type CustomerContext } from './notice-template.ts';
import { SUBSCRIPTION_PLACEHOLDERS, instant, minorUnits, subscriptionFactsSchema, subscriptionValues } from './subscription-facts.ts';

/**
 * The dunning family: the first failure, the follow-ups, the last warning (also by SMS). Each
 * carries the link to fix the card, since that is the one thing the customer has to do.
 */
const failedSchema = subscriptionFactsSchema.extend({ amount_due_minor: minorUnits.positive(), failed_at: instant });
const followUpSchema = failedSchema.extend({ step: z.number().int().positive(), of: z.number().int().positive() });

const FAILED_PLACEHOLDERS = [...SUBSCRIPTION_PLACEHOLDERS, 'amount_due', 'failed_date', 'payment_method_url'] as const;
const REQUIRED = { email: ['amount_due', 'payment_method_url', 'cancel_url'] } as const;

function failedValues(facts: z.output<typeof failedSchema>, context: CustomerContext) {
  return {
    ...subscriptionValues(facts, context),
    amount_due: formatAmount(facts.amount_due_minor, facts.currency, context.locale),
    failed_date: formatDate(facts.failed_at, context.locale, context.timeZone),
    payment_method_url: context.links.payment_method,
  };
}

export const paymentFailed = defineCustomerNotice({
  schema: failedSchema satisfies z.ZodType<CustomerNoticePayloads['payment-failed']>,
  placeholders: FAILED_PLACEHOLDERS,
  required: REQUIRED,
  values: failedValues,
  copy: {
    nl: (v) => ({
      subject: `Je betaling van ${v.amount_due} is niet gelukt`,
      blocks: writeCustomerLetter('nl', v, [
        { kind: 'paragraph', text: `Op ${v.failed_date} konden we ${v.amount_due} voor je abonnement ${v.plan_name} niet afschrijven. Werk je betaalgegevens bij, dan proberen we het opnieuw en loopt je abonnement gewoon door.` },
        { kind: 'action', label: 'Betaalgegevens bijwerken', url: v.payment_method_url },
      ]),
    }),
    en: (v) => ({
      subject: `Your payment of ${v.amount_due} did not go through`,
      blocks: writeCustomerLetter('en', v, [
        { kind: 'paragraph', text: `On ${v.failed_date} we could not collect ${v.amount_due} for your ${v.plan_name} subscription. Please update your payment details; we will then try again and your subscription simply continues.` },
        { kind: 'action', label: 'Update payment details', url: v.payment_method_url },
      ]),
    }),
  },
});

/**
 * A SEPA debit the bank returned, days after it was taken (no funds, account closed, the customer
 * objected): nothing was paid after all. The link leads to paying another way (a card), which the
 * next attempt uses; the mandate it was taken under is named, so the customer recognises it.
 */
const returnedSchema = failedSchema.extend({ payment_id: z.string().min(1) });

export const directDebitReturned = defineCustomerNotice({
  schema: returnedSchema satisfies z.ZodType<CustomerNoticePayloads['direct-debit-returned']>,
  placeholders: FAILED_PLACEHOLDERS,
  required: REQUIRED,
  values: failedValues,
  copy: {
    nl: (v) => ({
      subject: `Je incasso van ${v.amount_due} is teruggeboekt`,
      blocks: writeCustomerLetter('nl', v, [
        { kind: 'paragraph', text: `Je bank heeft de incasso van ${v.amount_due} voor je abonnement ${v.plan_name} niet uitgevoerd (bericht van ${v.failed_date}). Je betaling staat dus nog open.` },
        ...(v.mandate_reference ? [{ kind: 'facts' as const, rows: [['Machtigingskenmerk', v.mandate_reference]] as [string, string][] }] : []),
        { kind: 'paragraph', text: 'Betaal op een andere manier, bijvoorbeeld met een creditcard, dan loopt je abonnement gewoon door. Klopt er iets niet aan je rekening, dan kun je daar ook je bankgegevens bijwerken.' },
        { kind: 'action', label: 'Op een andere manier betalen', url: v.payment_method_url },
      ]),
    }),
    en: (v) => ({
      subject: `Your direct debit of ${v.amount_due} was returned`,
      blocks: writeCustomerLetter('en', v, [
        { kind: 'paragraph', text: `Your bank did not honour the direct debit of ${v.amount_due} for your ${v.plan_name} subscription (reported on ${v.failed_date}), so your payment is still outstanding.` },
        ...(v.mandate_reference ? [{ kind: 'facts' as const, rows: [['Mandate reference', v.mandate_reference]] as [string, string][] }] : []),
        { kind: 'paragraph', text: 'Please pay another way, for example by card, and your subscription simply continues. If something is wrong with your account, you can update your bank details there too.' },
        { kind: 'action', label: 'Pay another way', url: v.payment_method_url },
      ]),
    }),
  },
});

const followUpValues = (facts: z.output<typeof followUpSchema>, context: CustomerContext) => ({ ...failedValues(facts, context), step: String(facts.step), of: String(facts.of) });

export const dunningReminder = defineCustomerNotice({
  schema: followUpSchema satisfies z.ZodType<CustomerNoticePayloads['dunning-reminder']>,
  placeholders: [...FAILED_PLACEHOLDERS, 'step', 'of'],
  required: REQUIRED,
  values: followUpValues,
  copy: {
    nl: (v) => ({
      subject: `Herinnering: je betaling van ${v.amount_due} staat nog open`,
      blocks: writeCustomerLetter('nl', v, [
        { kind: 'paragraph', text: `Je betaling van ${v.amount_due} voor ${v.plan_name} (mislukt op ${v.failed_date}) staat nog open. Werk je betaalgegevens bij, dan is het zo geregeld.` },
        { kind: 'action', label: 'Betaalgegevens bijwerken', url: v.payment_method_url },
      ]),
    }),
    en: (v) => ({
      subject: `Reminder: your payment of ${v.amount_due} is still outstanding`,
      blocks: writeCustomerLetter('en', v, [
        { kind: 'paragraph', text: `Your payment of ${v.amount_due} for ${v.plan_name} (failed on ${v.failed_date}) is still outstanding. Update your payment details and it is sorted.` },
        { kind: 'action', label: 'Update payment details', url: v.payment_method_url },
      ]),
    }),
  },
});

export const dunningFinalWarning = defineCustomerNotice({
  schema: followUpSchema satisfies z.ZodType<CustomerNoticePayloads['dunning-final-warning']>,
  placeholders: [...FAILED_PLACEHOLDERS, 'step', 'of'],
  required: { ...REQUIRED, sms: ['amount_due', 'payment_method_url'] },
  values: followUpValues,
  copy: {
    nl: (v) => ({
      subject: `Laatste herinnering: betaal ${v.amount_due} om je abonnement ${v.plan_name} te houden`,
      blocks: writeCustomerLetter('nl', v, [
        { kind: 'paragraph', text: `Dit is onze laatste herinnering. Je betaling van ${v.amount_due} voor ${v.plan_name} (mislukt op ${v.failed_date}) staat nog steeds open. Lukt de betaling niet, dan stoppen we je abonnement.` },
        { kind: 'action', label: 'Betaalgegevens bijwerken', url: v.payment_method_url },
      ]),
      // Short: the signed link alone is about 200 characters of the two segments.
      sms: `${v.shop_name}: laatste herinnering. Betaling ${v.amount_due} van ${v.failed_date} mislukt. Bijwerken: ${v.payment_method_url}`,
    }),
    en: (v) => ({
      subject: `Final reminder: pay ${v.amount_due} to keep your ${v.plan_name} subscription`,
      blocks: writeCustomerLetter('en', v, [
        { kind: 'paragraph', text: `This is our final reminder. Your payment of ${v.amount_due} for ${v.plan_name} (failed on ${v.failed_date}) is still outstanding. If the payment does not succeed, we will end your subscription.` },
        { kind: 'action', label: 'Update payment details', url: v.payment_method_url },
      ]),
      sms: `${v.shop_name}: final reminder. Payment of ${v.amount_due} on ${v.failed_date} failed. Update: ${v.payment_method_url}`,
    }),
  },
});
