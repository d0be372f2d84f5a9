import Stripe from 'stripe';
import type { RequestBudget } from '../../../shared/request-budget.ts';
import { createBudgetedHttpClient } from './budgeted-http-client.ts';

export type StripeConnection = {
  secretKey: string;
  apiBase?: string | undefined;
  /** The process's one budget of requests to Stripe (STRIPE_MAX_REQUESTS_PER_SECOND); every request of this client waits for it. */
  budget?: RequestBudget | undefined;
};

/**
 * The official SDK, pointed at Stripe or at a Stripe-compatible base URL (the sandbox). The SDK
 * retries network errors, 409 and 5xx itself, reusing the Idempotency-Key of the request; with a
 * budget, a 429 is waited out (Retry-After) and sent again.
 */
export function createStripeClient({ secretKey, apiBase, budget }: StripeConnection): Stripe {
  const base = apiBase ? new URL(apiBase) : null;
  return new Stripe(secretKey, {
    maxNetworkRetries: 3,
    timeout: 20_000,
    appInfo: { name: 'recur' },
    ...(budget ? { httpClient: createBudgetedHttpClient(budget) } : {}),
    ...(base
      ? {
          host: base.hostname,
          port: base.port ? Number(base.port) : base.protocol === 'https:' ? 443 : 80,
          protocol: base.protocol === 'https:' ? 'https' : 'http',
        }
      : {}),
  });
}
