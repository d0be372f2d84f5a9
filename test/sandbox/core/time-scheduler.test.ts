import { describe, expect, it } from 'vitest';
import { SandboxClock } from '../../../sandbox/core/sandbox-clock.ts';
import { advanceClock, type TimeDriven } from '../../../sandbox/core/time-scheduler.ts';

/** A party with work at fixed moments, recording when (by the clock) it did each piece. */
function agenda(name: string, moments: string[], clock: SandboxClock, log: string[]): TimeDriven {
  const due = moments.map((moment) => new Date(moment));
  return {
    nextDueAt: () => due[0] ?? null,
    runDue: async (now) => {
      while (due[0] && due[0].getTime() <= now.getTime()) {
        due.shift();
        log.push(`${name}@${clock.now().toISOString().slice(0, 10)}`);
      }
    },
  };
}

describe('advancing the sandbox clock', () => {
  it('stops at every due moment in time order, across parties, then at the target', async () => {
    const clock = new SandboxClock(new Date('2026-01-01T00:00:00Z'));
    const log: string[] = [];
    const parties = [
      agenda('stripe', ['2026-01-31T00:00:00Z', '2026-03-03T00:00:00Z'], clock, log),
      agenda('twilio', ['2026-02-10T00:00:00Z'], clock, log),
    ];
    const steps = await advanceClock(clock, new Date('2026-04-01T12:00:00Z'), parties);
    expect(log).toEqual(['stripe@2026-01-31', 'twilio@2026-02-10', 'stripe@2026-03-03']);
    expect(steps).toBe(3);
    expect(clock.now().toISOString()).toBe('2026-04-01T12:00:00.000Z');
  });

  it('leaves work after the target for later', async () => {
    const clock = new SandboxClock(new Date('2026-01-01T00:00:00Z'));
    const log: string[] = [];
    const party = agenda('stripe', ['2026-01-10T00:00:00Z', '2026-02-10T00:00:00Z'], clock, log);
    await advanceClock(clock, new Date('2026-01-20T00:00:00Z'), [party]);
    expect(log).toEqual(['stripe@2026-01-10']);
    await advanceClock(clock, new Date('2026-03-01T00:00:00Z'), [party]);
    expect(log).toEqual(['stripe@2026-01-10', 'stripe@2026-02-10']);
  });

  it('never goes back, and refuses a party that makes no progress', async () => {
    const clock = new SandboxClock(new Date('2026-01-01T00:00:00Z'));
    await expect(advanceClock(clock, new Date('2025-12-31T00:00:00Z'), [])).rejects.toThrow(/cannot go back/);
    const stuck: TimeDriven = { nextDueAt: () => new Date('2026-01-02T00:00:00Z'), runDue: async () => {} };
    await expect(advanceClock(clock, new Date('2026-01-03T00:00:00Z'), [stuck])).rejects.toThrow(/no progress/);
  });

  it('keeps whole seconds', () => {
    const clock = new SandboxClock(new Date('2026-01-01T00:00:00.999Z'));
    expect(clock.now().toISOString()).toBe('2026-01-01T00:00:00.000Z');
    expect(clock.nowSeconds()).toBe(1767225600);
  });
});
