import { createMoney, type Money } from './money.ts';
import type { ProviderId } from './provider.ts';

export type BillingInterval = 'month' | 'year';

/** One entry of the plan catalogue. Prices live in the catalogue, never in code. */
export type Plan = {
  id: string;
  name: string;
  interval: BillingInterval;
  amountMinor: number;
  currency: string;
  trialDays: number;
  providerPriceIds: { stripe?: string; paypal?: string };
};

export function getPlanPrice(plan: Plan): Money {
  return createMoney(plan.amountMinor, plan.currency);
}

/** null when the plan is not offered through that provider (no price id configured). */
export function findProviderPriceId(plan: Plan, provider: ProviderId): string | null {
  return plan.providerPriceIds[provider] ?? null;
}
