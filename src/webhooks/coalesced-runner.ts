/** What one run reports: 'more' when it stopped on a budget with work perhaps left, so it runs again. */
export type RunResult = 'more' | 'done';

export type CoalescedRunner = {
  /** Asks for a run soon. Free to call per event: at most one run is pending; a wake during a run makes it check again when it ends. */
  wake(): void;
  /** Resolves when no run is going or pending. */
  idle(): Promise<void>;
  /** No new runs, and the current one is told to end early (`stopping`); resolves when it has ended. */
  stop(): Promise<void>;
};

/**
 * Runs `run` on request, one at a time, coalescing requests: any number of wakes while a run goes
 * lead to one more run after it, and a run that reports 'more' is followed by the next at once.
 * A failed run is reported and not retried here (the caller's schedule is the safety net).
 */
export function createCoalescedRunner(run: (stopping: () => boolean) => Promise<RunResult>, onError: (error: unknown) => void): CoalescedRunner {
  let running: Promise<void> | null = null;
  let again = false;
  let stopped = false;

  const loop = async () => {
    try {
      do {
        again = false;
        let result: RunResult;
        try {
          result = await run(() => stopped);
        } catch (error) {
          onError(error);
          result = 'done';
        }
        if (result === 'more') again = true;
      } while (again && !stopped);
    } finally {
      running = null;
    }
  };

  return {
    wake() {
      if (stopped) return;
      if (running) {
        again = true;
        return;
      }
      // Started on the next turn, so the request that woke it is answered first.
      running = new Promise<void>((resolve) => setImmediate(resolve)).then(loop);
    },
    async idle() {
      while (running) await running;
    },
    async stop() {
      stopped = true;
      while (running) await running;
    },
  };
}
