import { createRequestBudget, type RateTimer } from '../../shared/request-budget.ts';

export { realTimer, type RateTimer } from '../../shared/request-budget.ts';

export type RequestRateLimiter = {
  /** Resolves when one more request may be sent. */
  take(): Promise<void>;
  /** Requests granted so far. */
  readonly taken: number;
};

/**
 * A run's own count of its requests, paced like the process's budget. The process-wide budget
 * (shared with the webhook worker and API-driven calls, backing off on 429) sits in the Stripe
 * client itself (see create-stripe-client.ts); this one only keeps a run within the same rate
 * when its gateway bypasses that client, and counts what the run asked for.
 */
export function createRequestRateLimiter(perSecond: number, timer?: RateTimer): RequestRateLimiter {
  const budget = createRequestBudget(perSecond, timer);
  return {
    take: () => budget.take('reconciliation'),
    get taken() {
      return budget.taken;
    },
  };
}
