import type { Config } from '../config/load-config.ts';
import type { Database } from '../db/database.ts';
import type { StripeGateway } from '../providers/payments/stripe/stripe-gateway.ts';
import type { Clock } from '../shared/clock.ts';
import type { WebhookContext } from '../webhooks/webhook-context.ts';

/** What every service needs, built once at start-up and passed down. */
export type ServiceContext = {
  db: Database;
  clock: Clock;
  config: Pick<Config, 'catalogue' | 'PAST_DUE_GRACE_DAYS' | 'DEFAULT_LOCALE'>;
  /** Webhook ingest and processing; absent, the webhook routes answer 503 not_configured. */
  webhooks?: WebhookContext;
  /** Present when Stripe is configured: the gateway, and recur's public URL for redirects back. */
  stripe?: { gateway: StripeGateway; publicBaseUrl: string };
};

/** Who is acting, for the audit log: `api_key:{id}`, `cli`, `webhook:{provider}:{event}`. */
export type Actor = string;
