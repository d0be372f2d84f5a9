import Stripe from 'stripe';
import { z } from 'zod';

/**
 * How the emulated Stripe account is set up. In real Stripe most of this lives in the Dashboard
 * (Billing -> Subscriptions and emails): the retry schedule, what happens after the last failed
 * retry, how many days before a renewal `invoice.upcoming` goes out.
 */
export const stripeSettingsSchema = z
  .object({
    apiKey: z.string().min(1).default('sk_test_recur_sandbox'),
    publishableKey: z.string().min(1).default('pk_test_recur_sandbox'),
    /** The account's default API version, written on events and webhook endpoints. */
    apiVersion: z.string().default(Stripe.API_VERSION),
    /** Days after the previous failed attempt at which an invoice is retried (Stripe's "custom retry schedule"). */
    retryScheduleDays: z.array(z.number().int().min(1).max(60)).max(8).default([3, 5, 7]),
    /** The subscription's status once every retry has failed. */
    afterFinalFailure: z.enum(['canceled', 'unpaid', 'past_due']).default('canceled'),
    /** `invoice.upcoming` this many days before a renewal; 0 switches it off. */
    upcomingInvoiceDays: z.number().int().min(0).max(60).default(7),
    /** A subscription whose first invoice stays unpaid this long becomes incomplete_expired. */
    incompleteExpiresHours: z.number().int().min(1).default(23),
    checkoutExpiresHours: z.number().int().min(1).max(24).default(24),
    /** Secret of the endpoints below (endpoints made through the API get their own). */
    webhookSecret: z.string().startsWith('whsec_').default('whsec_recur_sandbox_0000000000000000'),
    webhookEndpoints: z.array(z.object({ url: z.url(), enabledEvents: z.array(z.string()).default(['*']) })).default([]),
  })
  .strict();

export type StripeSettings = z.output<typeof stripeSettingsSchema>;
export type StripeSettingsInput = z.input<typeof stripeSettingsSchema>;

const { retryScheduleDays, afterFinalFailure, upcomingInvoiceDays, incompleteExpiresHours } = stripeSettingsSchema.shape;

/**
 * What can change at run time (PUT /sandbox/stripe/settings), and so what a snapshot keeps. The
 * defaults are unwrapped: a setting left out is left as it is, not put back to Stripe's default.
 */
export const adjustableSettingsSchema = z
  .object({
    retryScheduleDays: retryScheduleDays.unwrap().optional(),
    afterFinalFailure: afterFinalFailure.unwrap().optional(),
    upcomingInvoiceDays: upcomingInvoiceDays.unwrap().optional(),
    incompleteExpiresHours: incompleteExpiresHours.unwrap().optional(),
  })
  .strict();

export type AdjustableSettings = z.output<typeof adjustableSettingsSchema>;
