import { z } from 'zod';
import { formatAmount, formatDate, formatFrequency } from '../format-notice-values.ts';
import type { PaymentFacts, SubscriptionFacts } from '../notice-catalogue.ts';
import type { CustomerContext } from './notice-template.ts';

/** Instants in payloads are ISO strings; `Z` or an offset, never a local time without one. */
export const instant = z.iso.datetime({ offset: true });
export const minorUnits = z.number().int();
export const currencyCode = z.string().regex(/^[A-Z]{3}$/, 'expected an ISO 4217 code such as EUR');

/** The payload part every customer notice shares; `satisfies` keeps it equal to the catalogue's type. */
export const subscriptionFactsSchema = z.object({
  subscription_id: z.string().min(1),
  customer_name: z.string().nullable(),
  plan_name: z.string().min(1),
  interval: z.enum(['month', 'year']),
  amount_minor: minorUnits.nonnegative(),
  currency: currencyCode,
  trial_end: instant.nullable(),
  trial_paid: z.boolean().optional(),
  next_charge_at: instant.nullable(),
  mandate_reference: z.string().min(1).max(64).optional(),
}) satisfies z.ZodType<SubscriptionFacts>;

export const paymentFactsSchema = z.object({
  payment_id: z.string().min(1),
  amount_minor: minorUnits,
  currency: currencyCode,
  paid_at: instant,
  method_summary: z.string().nullable(),
}) satisfies z.ZodType<PaymentFacts>;

/** The placeholders of every customer notice. A date that does not apply (no trial) is empty. */
export const SUBSCRIPTION_PLACEHOLDERS = [
  'shop_name',
  'support_email',
  'customer_name',
  'plan_name',
  'amount',
  'frequency',
  'trial_end_date',
  'next_charge_date',
  'cancel_url',
  'portal_url',
  'mandate_reference',
  'creditor_id',
] as const;

export type SubscriptionPlaceholder = (typeof SUBSCRIPTION_PLACEHOLDERS)[number];

export function subscriptionValues(facts: SubscriptionFacts, context: CustomerContext): Record<SubscriptionPlaceholder, string> {
  const { locale, timeZone } = context;
  const date = (value: string | null) => (value === null ? '' : formatDate(value, locale, timeZone));
  return {
    shop_name: context.shop.name,
    support_email: context.shop.support_email ?? '',
    customer_name: facts.customer_name?.trim() ?? '',
    plan_name: facts.plan_name,
    amount: formatAmount(facts.amount_minor, facts.currency, locale),
    frequency: formatFrequency(facts.interval, locale),
    trial_end_date: date(facts.trial_end),
    next_charge_date: date(facts.next_charge_at),
    cancel_url: context.links.cancel,
    portal_url: context.links.portal ?? '',
    mandate_reference: facts.mandate_reference ?? '',
    creditor_id: facts.mandate_reference ? (context.shop.sepa_creditor_id ?? '') : '',
  };
}
