import { describe, expect, it } from 'vitest';
import { isProviderId, PROVIDER_IDS } from '../../src/domain/provider.ts';

describe('isProviderId', () => {
  it('accepts exactly the supported providers', () => {
    expect(PROVIDER_IDS).toEqual(['stripe', 'paypal']);
    expect(isProviderId('stripe')).toBe(true);
    expect(isProviderId('paypal')).toBe(true);
  });

  it.each(['Stripe', 'PAYPAL', 'mollie', '', 'constructor'])('rejects "%s"', (value) => {
    expect(isProviderId(value)).toBe(false);
  });
});
