const BASE_DELAY_MS = 30_000;
const MAX_DELAY_MS = 6 * 60 * 60 * 1000;

/**
 * Exponential backoff (30 s, 1 min, 2 min, ... capped at 6 h) with jitter of ±25%, so events that
 * failed together (a provider outage) do not all come back in the same second.
 * `random` is injected: tests pin it, production passes Math.random.
 */
export function computeRetryDelayMs(attempt: number, random: () => number): number {
  const exponential = Math.min(MAX_DELAY_MS, BASE_DELAY_MS * 2 ** Math.max(0, attempt - 1));
  return Math.round(exponential * (0.75 + 0.5 * random()));
}
