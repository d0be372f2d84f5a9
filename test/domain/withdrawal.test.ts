import { describe, expect, it } from 'vitest';
import { catalogueSchema } from '../../src/config/catalogue-schema.ts';
import { isWithinWithdrawalPeriod, lastDayOfWithdrawal, withdrawalPeriodEnd, withdrawalRefundOf } from '../../src/domain/withdrawal.ts';

const signedUp = new Date('2026-01-01T10:00:00.000Z');
const period = { start: new Date('2026-01-01T10:00:00.000Z'), end: new Date('2026-01-31T10:00:00.000Z') };
const tenDaysIn = new Date('2026-01-11T10:00:00.000Z');

describe('withdrawal within 14 days', () => {
  it('runs 14 whole days from the day after signing up, to the end of the last day in the customer\'s time zone', () => {
    // 11:00 in Amsterdam on 1 January: the days are 2 to 15 January; the period ends at midnight after the 15th.
    const end = withdrawalPeriodEnd(signedUp, 'Europe/Amsterdam');
    expect(end.toISOString()).toBe('2026-01-15T23:00:00.000Z');
    expect(isWithinWithdrawalPeriod(signedUp, 'Europe/Amsterdam', new Date('2026-01-15T22:59:59.999Z'))).toBe(true);
    expect(isWithinWithdrawalPeriod(signedUp, 'Europe/Amsterdam', new Date('2026-01-15T23:00:00.000Z'))).toBe(false);
    expect(lastDayOfWithdrawal(end).toISOString()).toBe('2026-01-15T22:59:59.999Z');
    // The hour of signing up does not shorten it: just before midnight gives the same last day.
    expect(withdrawalPeriodEnd(new Date('2026-01-01T22:59:00.000Z'), 'Europe/Amsterdam').toISOString()).toBe('2026-01-15T23:00:00.000Z');
    // The day is the customer's: 23:30 UTC on 1 January is already 2 January in Amsterdam.
    expect(withdrawalPeriodEnd(new Date('2026-01-01T23:30:00.000Z'), 'Europe/Amsterdam').toISOString()).toBe('2026-01-16T23:00:00.000Z');
    expect(withdrawalPeriodEnd(new Date('2026-01-01T23:30:00.000Z'), 'UTC').toISOString()).toBe('2026-01-16T00:00:00.000Z');
    expect(withdrawalPeriodEnd(new Date('2026-01-01T23:30:00.000Z'), 'America/New_York').toISOString()).toBe('2026-01-16T05:00:00.000Z');
  });

  it('ends at local midnight across a change to summer time and back, and across a month end', () => {
    // Signed up 20 March in Amsterdam (UTC+1); clocks go forward on 29 March: the period ends 4 April 00:00 at UTC+2.
    expect(withdrawalPeriodEnd(new Date('2026-03-20T12:00:00.000Z'), 'Europe/Amsterdam').toISOString()).toBe('2026-04-03T22:00:00.000Z');
    // Signed up 20 October (UTC+2); clocks go back on 25 October: 4 November 00:00 at UTC+1.
    expect(withdrawalPeriodEnd(new Date('2026-10-20T12:00:00.000Z'), 'Europe/Amsterdam').toISOString()).toBe('2026-11-03T23:00:00.000Z');
    // A leap year's February: 20 February 2028 -> days to 5 March.
    expect(withdrawalPeriodEnd(new Date('2028-02-20T12:00:00.000Z'), 'UTC').toISOString()).toBe('2028-03-06T00:00:00.000Z');
  });

  it('refunds all that is left (full), nothing (none), or the unused part rounded down (prorated)', () => {
    const payment = { amountMinor: 2999, leftMinor: 2999 };
    expect(withdrawalRefundOf('full', payment, period, tenDaysIn)).toBe(2999);
    expect(withdrawalRefundOf('none', payment, period, tenDaysIn)).toBe(0);
    // 20 of 30 days unused: 2999 × 2/3 = 1999.33 -> 1999, never a cent more than the unused time.
    expect(withdrawalRefundOf('prorated', payment, period, tenDaysIn)).toBe(1999);
    expect(withdrawalRefundOf('prorated', payment, period, period.start)).toBe(2999);
    expect(withdrawalRefundOf('prorated', payment, period, new Date('2026-02-05T00:00:00.000Z'))).toBe(0);
  });

  it('never refunds more than is left of the payment, and refunds what is left when the period is unknown', () => {
    expect(withdrawalRefundOf('prorated', { amountMinor: 2999, leftMinor: 1000 }, period, tenDaysIn)).toBe(1000);
    expect(withdrawalRefundOf('full', { amountMinor: 2999, leftMinor: 0 }, period, tenDaysIn)).toBe(0);
    expect(withdrawalRefundOf('prorated', { amountMinor: 2999, leftMinor: 2999 }, { start: null, end: null }, tenDaysIn)).toBe(2999);
  });

  it('reads the policy from recur.config.json: full by default, a word it does not know refused', () => {
    const plans = [{ id: 'monthly', name: 'Monthly', interval: 'month', amountMinor: 2999, currency: 'EUR' }];
    expect(catalogueSchema.parse({ plans }).withdrawal).toEqual({ refund: 'full' });
    expect(catalogueSchema.parse({ plans, withdrawal: { refund: 'prorated' } }).withdrawal).toEqual({ refund: 'prorated' });
    const refused = catalogueSchema.safeParse({ plans, withdrawal: { refund: 'half' } });
    expect(refused.success).toBe(false);
    expect(refused.error?.issues[0]?.path).toEqual(['withdrawal', 'refund']);
  });
});
