import type { SandboxClock } from './sandbox-clock.ts';

/** Something that has work at certain moments: a subscription renewing, a trial ending. */
export interface TimeDriven {
  /** The earliest moment at which it has work, or null when it has none. */
  nextDueAt(): Date | null;
  /** Does everything due at or before `now`. Must make progress (move its next due time on). */
  runDue(now: Date): Promise<void>;
}

const MAX_STEPS = 100_000;

/**
 * Moves the clock to `target` through every due moment in order, so that over 400 days a
 * monthly subscription renews thirteen times in sequence, and events come out in time order.
 * `beforeMove` runs before each move (the sandbox lets webhooks raised so far make their first
 * delivery attempt, so they are signed and checked while the clock shows their moment).
 */
export async function advanceClock(
  clock: SandboxClock,
  target: Date,
  parties: readonly TimeDriven[],
  options: { beforeMove?: () => Promise<unknown> } = {},
): Promise<number> {
  if (target.getTime() < clock.now().getTime()) throw new RangeError('the sandbox clock cannot go back');
  let steps = 0;
  for (;;) {
    let earliest: Date | null = null;
    for (const party of parties) {
      const due = party.nextDueAt();
      if (due && (!earliest || due.getTime() < earliest.getTime())) earliest = due;
    }
    if (!earliest || earliest.getTime() > target.getTime()) break;
    if (++steps > MAX_STEPS) throw new Error('the sandbox clock made no progress: a party keeps its work due');
    if (earliest.getTime() > clock.now().getTime()) {
      await options.beforeMove?.();
      clock.set(earliest);
    }
    for (const party of parties) {
      const due = party.nextDueAt();
      if (due && due.getTime() <= clock.now().getTime()) await party.runDue(clock.now());
    }
  }
  await options.beforeMove?.();
  clock.set(target);
  return steps;
}
