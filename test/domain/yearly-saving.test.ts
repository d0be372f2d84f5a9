import { describe, expect, it } from 'vitest';
import { calculateYearlySaving } from '../../src/domain/yearly-saving.ts';
import { monthly, yearly } from './webshop-plans.ts';

describe('calculateYearlySaving', () => {
  it('gives the webshop numbers for EUR 29.99 monthly against EUR 299.90 yearly', () => {
    expect(calculateYearlySaving(monthly, yearly)).toEqual({
      ok: true,
      twelveMonthly: { amountMinor: 35988, currency: 'EUR' },
      saving: { amountMinor: 5998, currency: 'EUR' },
      percent: 16,
      basisPoints: 1666,
      monthsFree: 2,
    });
  });

  it('rounds percent, basis points and free months down, never up', () => {
    // 12 x 1000 = 12000; saving 1999 is 16.658 % and 1.999 months.
    const result = calculateYearlySaving({ ...monthly, amountMinor: 1000 }, { ...yearly, amountMinor: 10001 });
    expect(result).toMatchObject({ ok: true, percent: 16, basisPoints: 1665, monthsFree: 1 });
  });

  it('counts whole free months exactly at the boundary', () => {
    const result = calculateYearlySaving({ ...monthly, amountMinor: 1000 }, { ...yearly, amountMinor: 9000 });
    expect(result).toMatchObject({ ok: true, saving: { amountMinor: 3000 }, percent: 25, basisPoints: 2500, monthsFree: 3 });
  });

  it('reports no saving when yearly costs the same as twelve months', () => {
    expect(calculateYearlySaving(monthly, { ...yearly, amountMinor: 35988 })).toEqual({ ok: false, reason: 'no_saving' });
  });

  it('reports no saving when yearly costs more, and for a free monthly plan', () => {
    expect(calculateYearlySaving(monthly, { ...yearly, amountMinor: 40000 })).toEqual({ ok: false, reason: 'no_saving' });
    expect(calculateYearlySaving({ ...monthly, amountMinor: 0 }, yearly)).toEqual({ ok: false, reason: 'no_saving' });
  });

  it('rejects plans in different currencies', () => {
    expect(calculateYearlySaving(monthly, { ...yearly, currency: 'USD' })).toEqual({ ok: false, reason: 'currency_mismatch' });
  });

  it('rejects plans passed the wrong way round or with the wrong interval', () => {
    expect(calculateYearlySaving(yearly, monthly)).toEqual({ ok: false, reason: 'interval_mismatch' });
    expect(calculateYearlySaving(monthly, monthly)).toEqual({ ok: false, reason: 'interval_mismatch' });
  });
});
