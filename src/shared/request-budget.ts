import { AsyncLocalStorage } from 'node:async_hooks';

/**
 * Real elapsed time, not recur's business clock: a rate limit is about a provider's servers now,
 * and recur's clock may stand still (tests, the sandbox) or be moved by days.
 */
export type RateTimer = { now(): number; sleep(ms: number): Promise<void> };

export const realTimer: RateTimer = {
  now: () => performance.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};

/** Who is asking: each lane with requests waiting gets its turn, so a busy one cannot crowd out another. */
export type RequestLane = 'webhook-worker' | 'reconciliation' | 'api';

export type RequestBudget = {
  /** Resolves when one more request may be sent; the lane is the caller's (see `inLane`), 'api' when none was set. */
  take(lane?: RequestLane): Promise<void>;
  /** The provider said "too many" (429): nothing is granted, in any lane, before `ms` from now. */
  pauseFor(ms: number): void;
  readonly perSecond: number;
  /** Requests granted so far. */
  readonly taken: number;
};

const WINDOW_MS = 1000;
const laneOfCaller = new AsyncLocalStorage<RequestLane>();

/** Runs `work` with every provider request it makes counted in `lane`. */
export function inLane<T>(lane: RequestLane, work: () => Promise<T>): Promise<T> {
  return laneOfCaller.run(lane, work);
}

/** The lane of the code now running ('api' outside any `inLane`). */
export function currentLane(): RequestLane {
  return laneOfCaller.getStore() ?? 'api';
}

/**
 * At most `perSecond` requests in any one-second window: the grant times of the last `perSecond`
 * requests are kept, and a grant waits until the oldest of them is a second old. One grant at a
 * time, taken round-robin from the lanes that have callers waiting (first come first served within
 * a lane), so the worker's sixteen reads in flight and a reconciliation's one list page share the
 * rate half and half rather than sixteen to one.
 */
export function createRequestBudget(perSecond: number, timer: RateTimer = realTimer): RequestBudget {
  if (!Number.isInteger(perSecond) || perSecond < 1) throw new RangeError(`perSecond must be a positive whole number, not ${perSecond}`);
  const recent: number[] = [];
  const waiting = new Map<RequestLane, (() => void)[]>();
  const turns: RequestLane[] = [];
  let pausedUntil = 0;
  let taken = 0;
  let granting = false;

  const nextLane = (): RequestLane | undefined => {
    // The lane at the front of the rotation goes to the back after its grant.
    const index = turns.findIndex((lane) => (waiting.get(lane)?.length ?? 0) > 0);
    if (index < 0) return undefined;
    const [lane] = turns.splice(index, 1);
    turns.push(lane!);
    return lane;
  };

  const waitForSlot = async () => {
    for (;;) {
      const now = timer.now();
      const windowFree = recent.length < perSecond ? now : recent[0]! + WINDOW_MS;
      const at = Math.max(windowFree, pausedUntil);
      // A timer may fire a little early; loop until the slot has really come.
      if (at <= now) break;
      await timer.sleep(at - now);
    }
    if (recent.length === perSecond) recent.shift();
    recent.push(timer.now());
  };

  const grantAll = async () => {
    if (granting) return;
    granting = true;
    try {
      for (let lane = nextLane(); lane; lane = nextLane()) {
        await waitForSlot();
        taken += 1;
        waiting.get(lane)!.shift()!();
      }
    } finally {
      granting = false;
    }
  };

  return {
    take(lane = currentLane()) {
      return new Promise<void>((resolve) => {
        let queue = waiting.get(lane);
        if (!queue) {
          queue = [];
          waiting.set(lane, queue);
          turns.push(lane);
        }
        queue.push(resolve);
        void grantAll();
      });
    },
    pauseFor(ms) {
      pausedUntil = Math.max(pausedUntil, timer.now() + ms);
    },
    perSecond,
    get taken() {
      return taken;
    },
  };
}
