import { describe, expect, it } from 'vitest';
import { addDays, addInterval, nthPeriodEnd, periodBounds } from '../../src/domain/calendar-period.ts';

const at = (iso: string) => new Date(iso);

describe('addInterval by month', () => {
  it.each([
    ['2024-01-31T10:30:15.123Z', 1, '2024-02-29T10:30:15.123Z'], // leap year
    ['2023-01-31T10:30:15.123Z', 1, '2023-02-28T10:30:15.123Z'],
    ['2100-01-31T00:00:00.000Z', 1, '2100-02-28T00:00:00.000Z'], // divisible by 100: not leap
    ['2000-01-31T00:00:00.000Z', 1, '2000-02-29T00:00:00.000Z'], // divisible by 400: leap
    ['2024-03-31T08:00:00.000Z', 1, '2024-04-30T08:00:00.000Z'],
    ['2024-01-30T00:00:00.000Z', 1, '2024-02-29T00:00:00.000Z'],
    ['2024-01-15T23:59:59.999Z', 1, '2024-02-15T23:59:59.999Z'],
    ['2024-12-15T12:00:00.000Z', 1, '2025-01-15T12:00:00.000Z'], // end of year
    ['2024-12-31T23:00:00.000Z', 2, '2025-02-28T23:00:00.000Z'],
    ['2024-11-30T00:00:00.000Z', 1, '2024-12-30T00:00:00.000Z'],
    ['2024-01-31T00:00:00.000Z', 13, '2025-02-28T00:00:00.000Z'],
    ['2024-03-31T06:00:00.000Z', -1, '2024-02-29T06:00:00.000Z'],
    ['2025-01-31T06:00:00.000Z', -2, '2024-11-30T06:00:00.000Z'],
    ['2024-05-17T06:00:00.000Z', 0, '2024-05-17T06:00:00.000Z'],
  ])('%s + %i months = %s', (anchor, count, expected) => {
    expect(addInterval(at(anchor), 'month', count).toISOString()).toBe(expected);
  });
});

describe('addInterval by year', () => {
  it.each([
    ['2024-02-29T09:00:00.000Z', 1, '2025-02-28T09:00:00.000Z'],
    ['2024-02-29T09:00:00.000Z', 4, '2028-02-29T09:00:00.000Z'],
    ['2096-02-29T09:00:00.000Z', 4, '2100-02-28T09:00:00.000Z'],
    ['1996-02-29T09:00:00.000Z', 4, '2000-02-29T09:00:00.000Z'],
    ['2024-12-31T23:59:59.000Z', 1, '2025-12-31T23:59:59.000Z'],
    ['2024-03-01T00:00:00.000Z', 1, '2025-03-01T00:00:00.000Z'],
  ])('%s + %i years = %s', (anchor, count, expected) => {
    expect(addInterval(at(anchor), 'year', count).toISOString()).toBe(expected);
  });
});

describe('addInterval arguments', () => {
  it('does not change the anchor it was given', () => {
    const anchor = at('2024-01-31T10:00:00.000Z');
    addInterval(anchor, 'month', 1);
    expect(anchor.toISOString()).toBe('2024-01-31T10:00:00.000Z');
  });

  it.each([0.5, Number.NaN])('rejects a count of %s', (count) => {
    expect(() => addInterval(at('2024-01-31T00:00:00Z'), 'month', count)).toThrow(RangeError);
  });
});

describe('nthPeriodEnd', () => {
  const anchor = at('2024-01-31T10:00:00.000Z');

  it('counts every period from the anchor, so the 31st comes back after a short month', () => {
    const ends = [0, 1, 2, 3, 4, 12, 13].map((n) => nthPeriodEnd(anchor, 'month', n).toISOString());
    expect(ends).toEqual([
      '2024-01-31T10:00:00.000Z',
      '2024-02-29T10:00:00.000Z',
      '2024-03-31T10:00:00.000Z',
      '2024-04-30T10:00:00.000Z',
      '2024-05-31T10:00:00.000Z',
      '2025-01-31T10:00:00.000Z',
      '2025-02-28T10:00:00.000Z',
    ]);
  });

  it('differs from chaining one month at a time, which drifts to the 29th', () => {
    const chained = addInterval(addInterval(anchor, 'month', 1), 'month', 1);
    expect(chained.toISOString()).toBe('2024-03-29T10:00:00.000Z');
    expect(nthPeriodEnd(anchor, 'month', 2).toISOString()).toBe('2024-03-31T10:00:00.000Z');
  });

  it('returns a leap-day anchor to 29 Feb in leap years only', () => {
    const leap = at('2024-02-29T00:00:00.000Z');
    const ends = [1, 2, 3, 4].map((n) => nthPeriodEnd(leap, 'year', n).toISOString().slice(0, 10));
    expect(ends).toEqual(['2025-02-28', '2026-02-28', '2027-02-28', '2028-02-29']);
  });

  it.each([-1, 1.5])('rejects n = %s', (n) => {
    expect(() => nthPeriodEnd(anchor, 'month', n)).toThrow(RangeError);
  });
});

describe('periodBounds', () => {
  const anchor = at('2024-01-31T10:00:00.000Z');
  const bounds = (now: string, interval: 'month' | 'year' = 'month', from = anchor) => {
    const { index, start, end } = periodBounds(from, interval, at(now));
    return { index, start: start.toISOString(), end: end.toISOString() };
  };

  it('starts the first period at the anchor itself', () => {
    expect(bounds('2024-01-31T10:00:00.000Z')).toEqual({
      index: 0,
      start: '2024-01-31T10:00:00.000Z',
      end: '2024-02-29T10:00:00.000Z',
    });
  });

  it('keeps the last millisecond before a boundary in the earlier period', () => {
    expect(bounds('2024-02-29T09:59:59.999Z')).toMatchObject({ index: 0, end: '2024-02-29T10:00:00.000Z' });
  });

  it('puts the exact boundary in the next period', () => {
    expect(bounds('2024-02-29T10:00:00.000Z')).toEqual({
      index: 1,
      start: '2024-02-29T10:00:00.000Z',
      end: '2024-03-31T10:00:00.000Z',
    });
  });

  it('finds a period years after the anchor without drifting', () => {
    expect(bounds('2030-06-15T00:00:00.000Z')).toEqual({
      index: 76,
      start: '2030-05-31T10:00:00.000Z',
      end: '2030-06-30T10:00:00.000Z',
    });
  });

  it('handles a now earlier in its month than the anchor day', () => {
    expect(bounds('2024-03-05T00:00:00.000Z')).toMatchObject({ index: 1, start: '2024-02-29T10:00:00.000Z' });
  });

  it('handles yearly periods from a leap-day anchor', () => {
    const leap = at('2024-02-29T12:00:00.000Z');
    expect(bounds('2026-02-28T11:59:59.999Z', 'year', leap)).toEqual({
      index: 1,
      start: '2025-02-28T12:00:00.000Z',
      end: '2026-02-28T12:00:00.000Z',
    });
    expect(bounds('2028-02-29T12:00:00.000Z', 'year', leap)).toMatchObject({ index: 4, start: '2028-02-29T12:00:00.000Z' });
  });

  it('always returns the period that contains now, sampled every seven hours over two years', () => {
    for (let t = anchor.getTime(); t < anchor.getTime() + 2 * 366 * 86_400_000; t += 3_600_000 * 7) {
      const { index, start, end } = periodBounds(anchor, 'month', new Date(t));
      expect(start.getTime()).toBeLessThanOrEqual(t);
      expect(end.getTime()).toBeGreaterThan(t);
      expect(start).toEqual(nthPeriodEnd(anchor, 'month', index));
      expect(end).toEqual(nthPeriodEnd(anchor, 'month', index + 1));
    }
  });

  it('throws when now is before the anchor', () => {
    expect(() => periodBounds(anchor, 'month', at('2024-01-31T09:59:59.999Z'))).toThrow(RangeError);
  });
});

describe('addDays', () => {
  it('adds UTC calendar days across month, leap-day and year ends, keeping the time', () => {
    expect(addDays(at('2024-02-28T15:00:00.000Z'), 1).toISOString()).toBe('2024-02-29T15:00:00.000Z');
    expect(addDays(at('2023-02-28T15:00:00.000Z'), 1).toISOString()).toBe('2023-03-01T15:00:00.000Z');
    expect(addDays(at('2024-12-31T23:00:00.000Z'), 1).toISOString()).toBe('2025-01-01T23:00:00.000Z');
  });

  it('is unaffected by European daylight saving changes', () => {
    expect(addDays(at('2024-03-25T12:00:00.000Z'), -1).toISOString()).toBe('2024-03-24T12:00:00.000Z');
    expect(addDays(at('2024-03-30T12:00:00.000Z'), 2).toISOString()).toBe('2024-04-01T12:00:00.000Z');
  });

  it('rejects fractional days', () => {
    expect(() => addDays(at('2024-01-01T00:00:00Z'), 0.5)).toThrow(RangeError);
  });
});
