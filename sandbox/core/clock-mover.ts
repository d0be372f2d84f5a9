import type { SandboxClock } from './sandbox-clock.ts';
import { advanceClock, type TimeDriven } from './time-scheduler.ts';

/** One explicit move of the clock, as listeners hear of it once its due work is done. */
export type ClockMove = { from: Date; to: Date; steps: number };

export type ClockMoverOptions = {
  /** Runs before each step (the sandbox lets webhooks raised so far make their first attempt). */
  beforeMove: () => Promise<unknown>;
  /** The clock moved; `ranWork`: a party did due work on the way (worth writing to disk soon). */
  onChange: (ranWork: boolean) => void;
};

/**
 * The only way the sandbox clock moves. Explicit moves (the control route, `RunningSandbox.advance`)
 * and, once asked, real time passing go through one queue: two moves walking the due moments at
 * once would interleave their steps, and one could find the clock already past its target.
 *
 * Following real time keeps the offset an explicit move made (now = real now + offset), so a
 * long-running demo sees retry backoffs, quiet hours and expiries pass as they would in production,
 * while a test's sandbox stays frozen unless it opts in.
 */
export class ClockMover {
  private tail: Promise<unknown> = Promise.resolve();
  private readonly listeners = new Set<(move: ClockMove) => void>();
  private follower: NodeJS.Timeout | null = null;
  private tickQueued = false;
  private offsetMs = 0;

  constructor(
    private readonly clock: SandboxClock,
    private readonly parties: readonly TimeDriven[],
    private readonly options: ClockMoverOptions,
  ) {}

  /**
   * Moves to `target` through every due moment, then tells the listeners. A relative move is a
   * function of the time it starts from, so two moves of a day each make two days.
   */
  advance(target: Date | ((from: Date) => Date)): Promise<ClockMove> {
    return this.serialize(async () => {
      const from = this.clock.now();
      const to = typeof target === 'function' ? target(from) : target;
      const steps = await advanceClock(this.clock, to, this.parties, { beforeMove: this.options.beforeMove });
      this.offsetMs = this.clock.now().getTime() - Date.now();
      this.options.onChange(steps > 0);
      const move = { from, to: this.clock.now(), steps };
      for (const listener of this.listeners) listener(move);
      return move;
    });
  }

  /** Calls `listener` after each explicit move (not after real time passing); returns the unsubscribe. */
  onMove(listener: (move: ClockMove) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** From now on the clock also moves with real time, checked every `intervalMs`. */
  followRealTime(onError: (error: unknown) => void, intervalMs = 1000): void {
    if (this.follower) return;
    this.offsetMs = this.clock.now().getTime() - Date.now();
    this.follower = setInterval(() => this.tick(onError), intervalMs);
    this.follower.unref();
  }

  /** Stops following real time and waits for a move under way. */
  async stop(): Promise<void> {
    if (this.follower) clearInterval(this.follower);
    this.follower = null;
    await this.tail.catch(() => undefined);
  }

  private tick(onError: (error: unknown) => void): void {
    // A tick that waits behind a long move is enough: it catches up to real time when it runs.
    if (this.tickQueued) return;
    this.tickQueued = true;
    this.serialize(async () => {
      this.tickQueued = false;
      if (!this.follower) return;
      const target = new Date(Date.now() + this.offsetMs);
      // The clock keeps whole seconds; a move within the current second would change nothing.
      if (target.getTime() - this.clock.now().getTime() < 1000) return;
      const steps = await advanceClock(this.clock, target, this.parties, { beforeMove: this.options.beforeMove });
      this.options.onChange(steps > 0);
    }).catch(onError);
  }

  private serialize<T>(work: () => Promise<T>): Promise<T> {
    const run = this.tail.then(work, work);
    this.tail = run.catch(() => undefined);
    return run;
  }
}
