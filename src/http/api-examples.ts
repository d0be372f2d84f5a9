import { z } from 'zod';
import type { customerJson, planJson, subscriptionJson } from './presenters.ts';

/**
 * What the API docs show: a schema with what the answer means and one realistic instance (a Dutch
 * webshop's customer, EUR in minor units, Stripe-like ids). The example is typed by the schema, so
 * it cannot drift from what the route answers.
 */
export function documented<T extends z.ZodType>(schema: T, description: string, example: z.output<T>): T {
  return schema.meta({ description, examples: [example] }) as T;
}

/**
 * A request body as the docs show it, with one realistic instance of it. Under `example`: zod
 * leaves `examples` out of a body's schema when a field transforms its input (a time zone).
 */
export function withExample<T extends z.ZodType>(schema: T, example: z.input<T>): T {
  return schema.meta({ example }) as T;
}

export const customerExample: z.output<typeof customerJson> = {
  id: '0b6f3c1e-5a7d-4e2b-9c41-7d2f8a6e3b10',
  external_id: 'shop-1042',
  email: 'sanne.bakker@example.nl',
  name: 'Sanne Bakker',
  phone: '+31612345678',
  locale: 'nl',
  banned: false,
  banned_reason: null,
  banned_at: null,
  time_zone: 'Europe/Amsterdam',
  sms_consent: true,
  sms_consent_at: '2026-03-01T10:00:00.000Z',
  created_at: '2026-03-01T10:00:00.000Z',
  updated_at: '2026-03-01T10:00:00.000Z',
};

export const subscriptionExample: z.output<typeof subscriptionJson> = {
  id: '5d0c8f2a-1b3e-4c6d-8e9f-a0b1c2d3e4f5',
  customer: 'shop-1042',
  provider: 'stripe',
  provider_subscription_id: 'sub_1QdXyZ2eZvKYlo2C8h5N3kPq',
  plan: 'monthly',
  status: 'trialing',
  provider_status: 'trialing',
  trial_end: '2026-03-31T10:00:00.000Z',
  current_period_start: '2026-03-01T10:00:00.000Z',
  current_period_end: '2026-03-31T10:00:00.000Z',
  cancel_at_period_end: false,
  canceled_at: null,
  signed_up_at: '2026-03-01T10:00:09.000Z',
  mandate_reference: null,
  created_at: '2026-03-01T10:00:12.000Z',
  updated_at: '2026-03-01T10:00:12.000Z',
};

export const planExamples: z.output<typeof planJson>[] = [
  {
    id: 'monthly',
    name: 'Maandelijks',
    names: { nl: 'Maandelijks', en: 'Monthly' },
    interval: 'month',
    price: { amount_minor: 2999, currency: 'EUR' },
    trial_days: 30,
    trial_once_per_customer: true,
    provider_price_ids: { stripe: 'price_1QdXbC2eZvKYlo2CmT4hW8aB', paypal: null },
    payment_methods: ['card', 'ideal', 'sepa_debit'],
    saving_versus_monthly: null,
  },
  {
    id: 'yearly',
    name: 'Jaarlijks',
    names: { nl: 'Jaarlijks', en: 'Yearly' },
    interval: 'year',
    price: { amount_minor: 29990, currency: 'EUR' },
    trial_days: 30,
    trial_once_per_customer: true,
    provider_price_ids: { stripe: 'price_1QdXbD2eZvKYlo2C0Jk7sQ3v', paypal: null },
    payment_methods: ['card', 'ideal', 'sepa_debit'],
    saving_versus_monthly: { amount: { amount_minor: 5998, currency: 'EUR' }, percent: 16, months_free: 2 },
  },
];

/** A 303 as the docs show it: no body, and where the `Location` header sends the browser. */
export function redirect(description: string, location: string): z.ZodNull {
  return z.null().meta({ description, headers: { location: { type: 'string', format: 'uri', description: location } } });
}

/** A page for a customer's browser (text/html), with a short example of it. */
export function htmlPage(description: string, example: string): z.ZodString {
  return z.string().meta({ contentMediaType: 'text/html', description, examples: [example] });
}
