import { describe, expect, it } from 'vitest';
import { firstCharge, planAutoRenewStart, trialEndFor } from '../../src/domain/trial.ts';
import { monthly } from './webshop-plans.ts';

const at = (iso: string) => new Date(iso);

describe('trialEndFor', () => {
  it.each([
    ['2024-01-01T10:30:00.000Z', 30, '2024-01-31T10:30:00.000Z'],
    ['2024-02-15T08:00:00.000Z', 30, '2024-03-16T08:00:00.000Z'], // through 29 Feb
    ['2023-02-15T08:00:00.000Z', 30, '2023-03-17T08:00:00.000Z'],
    ['2024-12-20T23:59:59.000Z', 14, '2025-01-03T23:59:59.000Z'],
    ['2024-03-25T12:00:00.000Z', 14, '2024-04-08T12:00:00.000Z'], // across a DST change
    ['2024-01-01T00:00:00.000Z', 1, '2024-01-02T00:00:00.000Z'],
  ])('%s + %i trial days ends %s', (start, days, expected) => {
    expect(trialEndFor(at(start), days)?.toISOString()).toBe(expected);
  });

  it('means no trial for 0 days', () => {
    expect(trialEndFor(at('2024-01-01T00:00:00Z'), 0)).toBeNull();
  });

  it.each([-1, 1.5, Number.NaN])('rejects %s trial days', (days) => {
    expect(() => trialEndFor(at('2024-01-01T00:00:00Z'), days)).toThrow(RangeError);
  });
});

describe('planAutoRenewStart', () => {
  const now = at('2024-06-10T12:00:00.000Z');

  it('bridges the already-paid time with a trial ending exactly when it runs out', () => {
    const paidUntil = at('2024-07-01T00:00:00.000Z');
    expect(planAutoRenewStart(now, paidUntil)).toEqual({ kind: 'trial_until', trialEnd: paidUntil });
  });

  it('still bridges a single remaining millisecond', () => {
    expect(planAutoRenewStart(now, at('2024-06-10T12:00:00.001Z'))).toMatchObject({ kind: 'trial_until' });
  });

  it('charges now when the paid time ends exactly now', () => {
    expect(planAutoRenewStart(now, at('2024-06-10T12:00:00.000Z'))).toEqual({ kind: 'charge_now' });
  });

  it('charges now when the paid time is already over', () => {
    expect(planAutoRenewStart(now, at('2024-05-01T00:00:00.000Z'))).toEqual({ kind: 'charge_now' });
  });

  it('returns a trial end the caller cannot change by mutating its input', () => {
    const paidUntil = at('2024-07-01T00:00:00.000Z');
    const result = planAutoRenewStart(now, paidUntil);
    paidUntil.setUTCFullYear(2030);
    expect(result).toEqual({ kind: 'trial_until', trialEnd: at('2024-07-01T00:00:00.000Z') });
  });
});

describe('firstCharge', () => {
  const start = at('2024-02-15T09:00:00.000Z');

  it('charges the full plan amount when the trial ends', () => {
    expect(firstCharge(monthly, start)).toEqual({
      at: at('2024-03-16T09:00:00.000Z'),
      amount: { amountMinor: 2999, currency: 'EUR' },
    });
  });

  it('charges at the start when the plan has no trial', () => {
    expect(firstCharge({ ...monthly, trialDays: 0, amountMinor: 29990, interval: 'year' }, start)).toEqual({
      at: start,
      amount: { amountMinor: 29990, currency: 'EUR' },
    });
  });
});
