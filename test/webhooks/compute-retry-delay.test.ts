import { describe, expect, it } from 'vitest';
import { computeRetryDelayMs } from '../../src/webhooks/compute-retry-delay.ts';

describe('retry delay of a failed webhook event', () => {
  it('doubles per attempt from 30 s and caps at 6 h', () => {
    expect([1, 2, 3, 4].map((attempt) => computeRetryDelayMs(attempt, () => 0.5))).toEqual([30_000, 60_000, 120_000, 240_000]);
    expect(computeRetryDelayMs(40, () => 0.5)).toBe(6 * 3_600_000);
  });

  it('spreads retries by ±25 % so events that failed together do not return together', () => {
    expect(computeRetryDelayMs(3, () => 0)).toBe(90_000);
    expect(computeRetryDelayMs(3, () => 0.999_999)).toBeCloseTo(150_000, -1);
  });
});
