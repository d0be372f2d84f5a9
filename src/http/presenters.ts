import { z } from 'zod';
import { PROVIDER_IDS } from '../domain/provider.ts';
import type { CustomerRecord } from '../db/repositories/customer-repository.ts';
import type { SubscriptionRecord } from '../db/repositories/subscription-repository.ts';
import { getPlanName, PAYMENT_METHODS, paymentMethodsOf, type PlanLocale } from '../domain/plan.ts';
import { SUBSCRIPTION_STATUSES } from '../domain/subscription-status.ts';
import { toCustomerObject } from '../presentation/customer-object.ts';
import { toSubscriptionObject } from '../presentation/subscription-object.ts';
import type { PlanListing } from '../services/plans/list-plans.ts';

// The JSON shapes of the API: snake_case, times as ISO-8601 UTC strings, money as minor units.
const timestamp = z.iso.datetime();

export const customerJson = z.object({
  id: z.uuid(),
  external_id: z.string(),
  email: z.string(),
  name: z.string().nullable(),
  phone: z.string().nullable(),
  locale: z.enum(['nl', 'en']),
  banned: z.boolean(),
  banned_reason: z.string().nullable(),
  banned_at: timestamp.nullable(),
  time_zone: z.string().nullable().describe('IANA zone for dates in notices and SMS quiet hours; null: the configured default'),
  sms_consent: z.boolean().describe('whether SMS may be sent: consent recorded after the last withdrawal (a STOP withdraws it)'),
  sms_consent_at: timestamp.nullable(),
  created_at: timestamp,
  updated_at: timestamp,
});

export const presentCustomer: (customer: CustomerRecord) => z.infer<typeof customerJson> = toCustomerObject;

export const subscriptionJson = z.object({
  id: z.uuid(),
  customer: z.string().describe("the shop's external customer id"),
  provider: z.enum(PROVIDER_IDS),
  provider_subscription_id: z.string(),
  plan: z.string(),
  status: z.enum(SUBSCRIPTION_STATUSES),
  provider_status: z.string(),
  trial_end: timestamp.nullable(),
  current_period_start: timestamp.nullable(),
  current_period_end: timestamp.nullable(),
  cancel_at_period_end: z.boolean(),
  canceled_at: timestamp.nullable(),
  signed_up_at: timestamp.describe("when the customer took it, by the provider's record (the day the 14-day withdrawal period runs from); `created_at` is when recur first recorded it"),
  mandate_reference: z.string().nullable().describe('the SEPA mandate its direct debits are taken under (paid by SEPA Direct Debit, or iDEAL/Bancontact then debits); null otherwise or not known yet'),
  created_at: timestamp,
  updated_at: timestamp,
});

export const presentSubscription: (subscription: SubscriptionRecord) => z.infer<typeof subscriptionJson> = toSubscriptionObject;

const moneyJson = z.object({ amount_minor: z.number().int(), currency: z.string() });

export const planJson = z.object({
  id: z.string(),
  name: z.string().describe("the plan's name in the service's DEFAULT_LOCALE"),
  names: z.object({ nl: z.string(), en: z.string() }).describe('the name as customers of each locale read it in notices and pages'),
  interval: z.enum(['month', 'year']),
  price: moneyJson,
  trial_days: z.number().int(),
  trial_once_per_customer: z.boolean().describe("the free trial is only for a customer's first subscription: one who had a trial or paid subscription before checks out without it"),
  provider_price_ids: z.object({ stripe: z.string().nullable(), paypal: z.string().nullable() }),
  payment_methods: z.array(z.enum(PAYMENT_METHODS)).describe('how customers can pay it at a checkout that offers a choice (Stripe Checkout)'),
  saving_versus_monthly: z.object({ amount: moneyJson, percent: z.number().int(), months_free: z.number().int() }).nullable(),
});

export const presentPlan = (plan: PlanListing, defaultLocale: PlanLocale): z.infer<typeof planJson> => ({
  id: plan.id,
  name: getPlanName(plan, defaultLocale),
  names: { nl: getPlanName(plan, 'nl'), en: getPlanName(plan, 'en') },
  interval: plan.interval,
  price: { amount_minor: plan.amountMinor, currency: plan.currency },
  trial_days: plan.trialDays,
  trial_once_per_customer: plan.trialOncePerCustomer,
  provider_price_ids: { stripe: plan.providerPriceIds.stripe ?? null, paypal: plan.providerPriceIds.paypal ?? null },
  payment_methods: [...paymentMethodsOf(plan)],
  saving_versus_monthly: plan.savingVersusMonthly
    ? {
        amount: { amount_minor: plan.savingVersusMonthly.saving.amountMinor, currency: plan.savingVersusMonthly.saving.currency },
        percent: plan.savingVersusMonthly.percent,
        months_free: plan.savingVersusMonthly.monthsFree,
      }
    : null,
});

/** The one error shape of every route, one component in the OpenAPI document. */
export const errorJson = z.object({ error: z.object({ code: z.string(), message: z.string(), requestId: z.string(), details: z.record(z.string(), z.string()).optional() }) }).meta({
  id: 'Error',
  description: "recur's error: a stable code from its catalogue, a message for people, and the request id (also the X-Request-Id header) to quote",
  examples: [{ error: { code: 'not_found', message: 'customer "shop-1042" does not exist', requestId: '9b1deb4d-3b7d-4bad-9bdd-2b0d7b3dcb6d' } }],
});
