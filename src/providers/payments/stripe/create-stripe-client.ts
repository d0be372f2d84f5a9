import Stripe from 'stripe';

export type StripeConnection = { secretKey: string; apiBase?: string | undefined };

/**
 * The official SDK, pointed at Stripe or at a Stripe-compatible base URL (the sandbox). The SDK
 * retries network errors, 409, 429 and 5xx itself, reusing the Idempotency-Key of the request.
 */
export function createStripeClient({ secretKey, apiBase }: StripeConnection): Stripe {
  const base = apiBase ? new URL(apiBase) : null;
  return new Stripe(secretKey, {
    maxNetworkRetries: 3,
    timeout: 20_000,
    appInfo: { name: 'recur' },
    ...(base
      ? {
          host: base.hostname,
          port: base.port ? Number(base.port) : base.protocol === 'https:' ? 443 : 80,
          protocol: base.protocol === 'https:' ? 'https' : 'http',
        }
      : {}),
  });
}
