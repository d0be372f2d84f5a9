/**
 * The one clock of every emulated provider. Time only moves when told to (tests, the demo's
 * "advance" button), or with real time where the sandbox is asked to follow it (the development
 * start-up, see clock-mover.ts); moving it lets each provider do, in order, what fell due on the way.
 */
export class SandboxClock {
  private current: number;

  constructor(start: Date = new Date()) {
    // Whole seconds: Stripe's timestamps are seconds, and comparisons must not see milliseconds.
    this.current = Math.floor(start.getTime() / 1000) * 1000;
  }

  now(): Date {
    return new Date(this.current);
  }

  /** Seconds since the epoch, as Stripe and Twilio timestamps are written. */
  nowSeconds(): number {
    return Math.floor(this.current / 1000);
  }

  /** Only ever forwards; the scheduler calls this for each due moment on the way to a target. */
  set(to: Date): void {
    const target = Math.floor(to.getTime() / 1000) * 1000;
    if (target < this.current) throw new RangeError(`the sandbox clock cannot go back (from ${this.now().toISOString()} to ${to.toISOString()})`);
    this.current = target;
  }
}
