import { describe, expect, it } from 'vitest';
import { addMoney, createMoney, createZeroMoney, isSameCurrency, negateMoney } from '../../src/domain/money.ts';

describe('createMoney', () => {
  it('keeps integer minor units and the currency code', () => {
    expect(createMoney(2999, 'EUR')).toEqual({ amountMinor: 2999, currency: 'EUR' });
  });

  it.each([29.99, Number.NaN, Number.POSITIVE_INFINITY, 2 ** 53])('rejects %s as an amount', (amount) => {
    expect(() => createMoney(amount, 'EUR')).toThrow(RangeError);
  });

  it.each(['eur', 'EURO', 'E', ''])('rejects "%s" as a currency', (currency) => {
    expect(() => createMoney(100, currency)).toThrow(RangeError);
  });

  it('stores zero as +0 so equality checks do not trip over -0', () => {
    expect(Object.is(createMoney(-0, 'EUR').amountMinor, 0)).toBe(true);
    expect(Object.is(negateMoney(createZeroMoney('EUR')).amountMinor, 0)).toBe(true);
  });
});

describe('addMoney', () => {
  it('adds amounts in the same currency, including negative ones', () => {
    expect(addMoney(createMoney(29990, 'EUR'), createMoney(-2999, 'EUR'))).toEqual(createMoney(26991, 'EUR'));
  });

  it('throws when the currencies differ', () => {
    expect(() => addMoney(createMoney(1, 'EUR'), createMoney(1, 'USD'))).toThrow(/EUR/);
  });
});

describe('negateMoney', () => {
  it('flips the sign and keeps the currency', () => {
    expect(negateMoney(createMoney(2999, 'EUR'))).toEqual(createMoney(-2999, 'EUR'));
    expect(negateMoney(createMoney(-5, 'USD'))).toEqual(createMoney(5, 'USD'));
  });
});

describe('isSameCurrency', () => {
  it('compares the codes of anything that carries one', () => {
    expect(isSameCurrency(createMoney(1, 'EUR'), { currency: 'EUR' })).toBe(true);
    expect(isSameCurrency(createMoney(1, 'EUR'), { currency: 'USD' })).toBe(false);
  });
});
