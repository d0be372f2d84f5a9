import type { z } from 'zod';
import { formatAmount, formatDate } from '../format-notice-values.ts';
import type { CustomerNoticePayloads, PaymentFacts } from '../notice-catalogue.ts';
import { writeCustomerLetter } from './customer-letter.ts';
import { defineCustomerNotice, type CustomerContext } from './notice-template.ts';
import { SUBSCRIPTION_PLACEHOLDERS, minorUnits, paymentFactsSchema, subscriptionFactsSchema, subscriptionValues } from './subscription-facts.ts';

const PAYMENT_PLACEHOLDERS = ['paid_amount', 'paid_date', 'payment_method', 'payment_id'] as const;

function paymentValues(payment: PaymentFacts, context: CustomerContext): Record<(typeof PAYMENT_PLACEHOLDERS)[number], string> {
  return {
    paid_amount: formatAmount(payment.amount_minor, payment.currency, context.locale),
    paid_date: formatDate(payment.paid_at, context.locale, context.timeZone),
    payment_method: payment.method_summary ?? '',
    payment_id: payment.payment_id,
  };
}

/** A row only for what is known: a payment without a method summary shows no empty line. */
const present = (rows: [string, string][]) => rows.filter(([, value]) => value !== '');

/** After each successful charge (Mastercard asks for one every time): amount, date, plan, method. */
export const receipt = defineCustomerNotice({
  schema: subscriptionFactsSchema.extend({ payment: paymentFactsSchema }) satisfies z.ZodType<CustomerNoticePayloads['receipt']>,
  placeholders: [...SUBSCRIPTION_PLACEHOLDERS, ...PAYMENT_PLACEHOLDERS],
  required: { email: ['paid_amount', 'cancel_url'] },
  values: (facts, context) => ({ ...subscriptionValues(facts, context), ...paymentValues(facts.payment, context) }),
  copy: {
    nl: (v) => ({
      subject: `Betaalbewijs: ${v.paid_amount} voor ${v.plan_name}`,
      blocks: writeCustomerLetter('nl', v, [
        { kind: 'paragraph', text: `Bedankt voor je betaling. Hierbij je betaalbewijs van ${v.shop_name}.` },
        {
          kind: 'facts',
          rows: present([
            ['Bedrag', v.paid_amount],
            ['Datum', v.paid_date],
            ['Abonnement', `${v.plan_name} (${v.amount} ${v.frequency})`],
            ['Betaald met', v.payment_method],
            ['Kenmerk', v.payment_id],
            ['Volgende betaling', v.next_charge_date],
          ]),
        },
      ]),
    }),
    en: (v) => ({
      subject: `Receipt: ${v.paid_amount} for ${v.plan_name}`,
      blocks: writeCustomerLetter('en', v, [
        { kind: 'paragraph', text: `Thank you for your payment. Here is your receipt from ${v.shop_name}.` },
        {
          kind: 'facts',
          rows: present([
            ['Amount', v.paid_amount],
            ['Date', v.paid_date],
            ['Plan', `${v.plan_name} (${v.amount} ${v.frequency})`],
            ['Paid with', v.payment_method],
            ['Reference', v.payment_id],
            ['Next payment', v.next_charge_date],
          ]),
        },
      ]),
    }),
  },
});

/** After each refund: what came back now, and how much of the payment has come back in all. */
export const refundReceipt = defineCustomerNotice({
  schema: subscriptionFactsSchema.extend({
    payment: paymentFactsSchema,
    refunded_minor: minorUnits.positive(),
    refunded_total_minor: minorUnits.positive(),
  }) satisfies z.ZodType<CustomerNoticePayloads['refund-receipt']>,
  placeholders: [...SUBSCRIPTION_PLACEHOLDERS, ...PAYMENT_PLACEHOLDERS, 'refunded_amount', 'refunded_total'],
  required: { email: ['refunded_amount', 'cancel_url'] },
  values: (facts, context) => ({
    ...subscriptionValues(facts, context),
    ...paymentValues(facts.payment, context),
    refunded_amount: formatAmount(facts.refunded_minor, facts.payment.currency, context.locale),
    refunded_total: formatAmount(facts.refunded_total_minor, facts.payment.currency, context.locale),
  }),
  copy: {
    nl: (v) => ({
      subject: `Terugbetaling van ${v.refunded_amount} door ${v.shop_name}`,
      blocks: writeCustomerLetter('nl', v, [
        { kind: 'paragraph', text: `We hebben ${v.refunded_amount} teruggestort. Afhankelijk van je bank duurt het enkele werkdagen voordat het bedrag zichtbaar is.` },
        {
          kind: 'facts',
          rows: present([
            ['Teruggestort', v.refunded_amount],
            ['Totaal teruggestort', `${v.refunded_total} van ${v.paid_amount}`],
            ['Oorspronkelijke betaling', `${v.paid_amount} op ${v.paid_date}`],
            ['Abonnement', v.plan_name],
            ['Betaald met', v.payment_method],
            ['Kenmerk', v.payment_id],
          ]),
        },
      ]),
    }),
    en: (v) => ({
      subject: `Refund of ${v.refunded_amount} from ${v.shop_name}`,
      blocks: writeCustomerLetter('en', v, [
        { kind: 'paragraph', text: `We have refunded ${v.refunded_amount}. Depending on your bank, it may take a few working days before you see it.` },
        {
          kind: 'facts',
          rows: present([
            ['Refunded', v.refunded_amount],
            ['Total refunded', `${v.refunded_total} of ${v.paid_amount}`],
            ['Original payment', `${v.paid_amount} on ${v.paid_date}`],
            ['Plan', v.plan_name],
            ['Paid with', v.payment_method],
            ['Reference', v.payment_id],
          ]),
        },
      ]),
    }),
  },
});
