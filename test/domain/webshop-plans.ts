import type { Plan } from '../../src/domain/plan.ts';

/** The first user's catalogue: EUR 29.99 a month, EUR 299.90 a year, 30-day trial. */
export const monthly: Plan = {
  id: 'monthly',
  name: 'Monthly',
  interval: 'month',
  amountMinor: 2999,
  currency: 'EUR',
  trialDays: 30,
  providerPriceIds: {},
};

export const yearly: Plan = { ...monthly, id: 'yearly', name: 'Yearly', interval: 'year', amountMinor: 29990 };
