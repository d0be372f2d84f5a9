import { createMoney, type Money } from './money.ts';
import type { ProviderId } from './provider.ts';

export type BillingInterval = 'month' | 'year';

/** The languages a plan's name can be given in: the locales customers and notices have. */
export type PlanLocale = 'nl' | 'en';

/**
 * How a customer can pay a plan at checkout. iDEAL (the Netherlands) and Bancontact (Belgium) pay
 * the first time and set up a SEPA Direct Debit mandate for the renewals; `sepa_debit` debits from
 * the start. The three are euro-only.
 */
export const PAYMENT_METHODS = ['card', 'ideal', 'bancontact', 'sepa_debit'] as const;
export type PaymentMethod = (typeof PAYMENT_METHODS)[number];

/** The methods that take euros only (SEPA), and so a plan in another currency cannot offer. */
export const EURO_ONLY_PAYMENT_METHODS: ReadonlySet<PaymentMethod> = new Set(['ideal', 'bancontact', 'sepa_debit']);

/** One entry of the plan catalogue. Prices live in the catalogue, never in code. */
export type Plan = {
  id: string;
  /** The name wherever no name in the reader's locale is given. */
  name: string;
  names?: Partial<Record<PlanLocale, string>>;
  interval: BillingInterval;
  amountMinor: number;
  currency: string;
  trialDays: number;
  providerPriceIds: { stripe?: string; paypal?: string };
  /** The ways to pay it at a checkout that offers a choice (Stripe's); absent: card only. */
  paymentMethods?: readonly PaymentMethod[];
};

/** How a plan can be paid at checkout: as the catalogue says, card when it says nothing. */
export function paymentMethodsOf(plan: Pick<Plan, 'paymentMethods'>): readonly PaymentMethod[] {
  return plan.paymentMethods && plan.paymentMethods.length > 0 ? plan.paymentMethods : ['card'];
}

export function getPlanPrice(plan: Plan): Money {
  return createMoney(plan.amountMinor, plan.currency);
}

/** The plan's name as a reader of `locale` sees it: its own translation, else the plain name. */
export function getPlanName(plan: Pick<Plan, 'name' | 'names'>, locale: PlanLocale): string {
  return plan.names?.[locale] ?? plan.name;
}

/** null when the plan is not offered through that provider (no price id configured). */
export function findProviderPriceId(plan: Plan, provider: ProviderId): string | null {
  return plan.providerPriceIds[provider] ?? null;
}

/** The lookup key `recur plans sync` gives a plan's price at a provider: `recur_<plan>`. */
export const PRICE_LOOKUP_PREFIX = 'recur_';

export const lookupKeyForPlan = (planId: string): string => `${PRICE_LOOKUP_PREFIX}${planId}`;

/** The catalogue plan id a lookup key names; null for a key recur did not give. */
export const planIdOfLookupKey = (lookupKey: string | null): string | null => (lookupKey?.startsWith(PRICE_LOOKUP_PREFIX) ? lookupKey.slice(PRICE_LOOKUP_PREFIX.length) : null);
