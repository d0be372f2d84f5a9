import { describe, expect, it } from 'vitest';
import { catalogueSchema } from '../../src/config/catalogue-schema.ts';
import { isWithinWithdrawalPeriod, withdrawalDeadline, withdrawalRefundOf } from '../../src/domain/withdrawal.ts';

const signedUp = new Date('2026-01-01T10:00:00.000Z');
const period = { start: new Date('2026-01-01T10:00:00.000Z'), end: new Date('2026-01-31T10:00:00.000Z') };
const tenDaysIn = new Date('2026-01-11T10:00:00.000Z');

describe('withdrawal within 14 days', () => {
  it('is open until exactly 14 days after signing up', () => {
    expect(withdrawalDeadline(signedUp).toISOString()).toBe('2026-01-15T10:00:00.000Z');
    expect(isWithinWithdrawalPeriod(signedUp, new Date('2026-01-15T09:59:59.999Z'))).toBe(true);
    expect(isWithinWithdrawalPeriod(signedUp, new Date('2026-01-15T10:00:00.000Z'))).toBe(false);
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
