import Stripe from 'stripe';
import type { RequestBudget } from '../../../shared/request-budget.ts';

/** Tries of one request that Stripe answers 429, before the 429 goes up to the SDK (and becomes an error). */
const RATE_LIMITED_TRIES = 4;
/** When a 429 names no Retry-After (Stripe's own 429s usually do not): Stripe suggests backing off about a second. */
const DEFAULT_BACKOFF_MS = 1000;
/** A Retry-After beyond this is not waited for here: the caller's own retry (the inbox's backoff) takes over. */
const LONGEST_WAIT_MS = 60_000;

/**
 * Every HTTP request the SDK sends, through the process's request budget: the SDK's own retries
 * (network errors, 409, 5xx) included, each one a request Stripe counts. A 429 pauses the whole
 * budget for its Retry-After (every lane: the limit is per account, not per caller) and the request
 * is sent again once the pause is over; the SDK does not retry a 429 itself.
 */
export function createBudgetedHttpClient(budget: RequestBudget, inner: Stripe.HttpClient = Stripe.createNodeHttpClient()): Stripe.HttpClient {
  return {
    getClientName: () => inner.getClientName(),
    async makeRequest(...args: Parameters<Stripe.HttpClient['makeRequest']>) {
      for (let attempt = 1; ; attempt++) {
        await budget.take();
        const response = await inner.makeRequest(...args);
        if (response.getStatusCode() !== 429 || attempt >= RATE_LIMITED_TRIES) return response;
        const waitMs = retryAfterMs(response.getHeaders()['retry-after']);
        if (waitMs > LONGEST_WAIT_MS) return response;
        budget.pauseFor(waitMs);
        await discard(response);
      }
    },
  };
}

function retryAfterMs(header: unknown): number {
  const text = Array.isArray(header) ? header[0] : header;
  if (typeof text !== 'string' || text.trim() === '') return DEFAULT_BACKOFF_MS;
  const seconds = Number(text);
  if (Number.isFinite(seconds) && seconds >= 0) return Math.max(seconds * 1000, 100);
  const date = Date.parse(text);
  return Number.isNaN(date) ? DEFAULT_BACKOFF_MS : Math.max(date - Date.now(), 100);
}

async function discard(response: Stripe.HttpClientResponse): Promise<void> {
  if (response.dispose) return response.dispose();
  await response.toJSON().catch(() => undefined);
}
