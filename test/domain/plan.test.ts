import { describe, expect, it } from 'vitest';
import { findProviderPriceId, getPlanPrice, type Plan } from '../../src/domain/plan.ts';
import { monthly as webshopMonthly } from './webshop-plans.ts';

const monthly: Plan = { ...webshopMonthly, providerPriceIds: { stripe: 'price_123' } };

describe('getPlanPrice', () => {
  it('returns the plan amount as money', () => {
    expect(getPlanPrice(monthly)).toEqual({ amountMinor: 2999, currency: 'EUR' });
  });

  it('refuses a plan whose amount is not in minor units', () => {
    expect(() => getPlanPrice({ ...monthly, amountMinor: 29.99 })).toThrow(RangeError);
  });
});

describe('findProviderPriceId', () => {
  it('returns the configured price id for the provider', () => {
    expect(findProviderPriceId(monthly, 'stripe')).toBe('price_123');
  });

  it('returns null when the plan is not offered through that provider', () => {
    expect(findProviderPriceId(monthly, 'paypal')).toBeNull();
  });
});
