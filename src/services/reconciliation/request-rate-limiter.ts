/**
 * Real elapsed time, not recur's business clock: a rate limit is about Stripe's servers now, and
 * recur's clock may stand still (tests, the sandbox) or be moved by days.
 */
export type RateTimer = { now(): number; sleep(ms: number): Promise<void> };

export const realTimer: RateTimer = {
  now: () => performance.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};

export type RequestRateLimiter = {
  /** Resolves when one more request may be sent. */
  take(): Promise<void>;
  /** Requests granted so far. */
  readonly taken: number;
};

const WINDOW_MS = 1000;

/**
 * At most `perSecond` requests in any one-second window: the grant times of the last `perSecond`
 * requests are kept, and a request waits until the oldest of them is a second old. Grants are
 * serialized, so callers running at the same time share the budget.
 */
export function createRequestRateLimiter(perSecond: number, timer: RateTimer = realTimer): RequestRateLimiter {
  if (!Number.isInteger(perSecond) || perSecond < 1) throw new RangeError(`perSecond must be a positive whole number, not ${perSecond}`);
  const recent: number[] = [];
  let taken = 0;
  let queue: Promise<void> = Promise.resolve();

  const grant = async () => {
    if (recent.length === perSecond) {
      const oldest = recent[0]!;
      // A timer may fire a little early; loop until the window has really passed.
      for (let wait = oldest + WINDOW_MS - timer.now(); wait > 0; wait = oldest + WINDOW_MS - timer.now()) await timer.sleep(wait);
      recent.shift();
    }
    recent.push(timer.now());
    taken += 1;
  };

  return {
    take() {
      const next = queue.then(grant);
      queue = next.catch(() => undefined);
      return next;
    },
    get taken() {
      return taken;
    },
  };
}
