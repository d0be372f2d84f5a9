import { describe, expect, it } from 'vitest';
import { decidePastDueSince } from '../../src/domain/past-due-since.ts';

const failure = new Date('2026-01-31T00:00:00Z');
const periodStart = new Date('2026-01-31T00:00:00Z');
const earlier = new Date('2026-01-24T00:00:00Z');

describe('decidePastDueSince', () => {
  it('is null for every state that is not past due', () => {
    for (const status of ['trialing', 'active', 'paused', 'canceled', 'incomplete'] as const) {
      expect(decidePastDueSince({ status, previous: { status: 'past_due', pastDueSince: earlier }, fact: failure, periodStart })).toBeNull();
    }
  });

  it('takes the provider\'s fact, over a date recur holds for the incident (a wrong one is corrected)', () => {
    expect(decidePastDueSince({ status: 'past_due', previous: { status: 'past_due', pastDueSince: earlier }, fact: failure, periodStart })).toEqual(failure);
    expect(decidePastDueSince({ status: 'past_due', previous: null, fact: failure, periodStart: null })).toEqual(failure);
  });

  it('keeps the incident\'s date when the read did not carry the fact', () => {
    expect(decidePastDueSince({ status: 'past_due', previous: { status: 'past_due', pastDueSince: earlier }, fact: undefined, periodStart })).toEqual(earlier);
    expect(decidePastDueSince({ status: 'past_due', previous: { status: 'past_due', pastDueSince: earlier }, fact: null, periodStart })).toEqual(earlier);
  });

  it('starts a new incident without a fact at the period its renewal failed to pay, never before', () => {
    const later = new Date('2026-02-28T00:00:00Z');
    expect(decidePastDueSince({ status: 'past_due', previous: { status: 'active', pastDueSince: null }, fact: undefined, periodStart: later })).toEqual(later);
    expect(decidePastDueSince({ status: 'past_due', previous: null, fact: null, periodStart: null })).toBeNull();
  });
});
