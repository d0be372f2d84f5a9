import type { Config } from '../config/load-config.ts';
import type { Database } from '../db/database.ts';
import type { Clock } from '../shared/clock.ts';
import type { EventProcessor } from '../webhooks/inbox-event.ts';
import { createStripeClient } from '../providers/payments/stripe/create-stripe-client.ts';
import { createStripeGateway } from '../providers/payments/stripe/create-stripe-gateway.ts';
import { createStripeEventProcessor } from '../services/sync/create-stripe-event-processor.ts';
import type { StripeGateway } from '../providers/payments/stripe/stripe-gateway.ts';
import type { JobQueue } from '../services/service-context.ts';
import { publicBaseUrlOf } from './public-base-url.ts';
import { createRequestBudget } from '../shared/request-budget.ts';

export type StripeIntegration = { gateway: StripeGateway; publicBaseUrl: string; processor: EventProcessor };

type StripeSettings = Pick<Config, 'STRIPE_SECRET_KEY' | 'STRIPE_API_BASE' | 'PUBLIC_BASE_URL' | 'HOST' | 'PORT' | 'catalogue' | 'DEFAULT_LOCALE' | 'STRIPE_MAX_REQUESTS_PER_SECOND'>;

/**
 * The gateway and the event processor, when a Stripe key is configured; null otherwise. One client,
 * so one request budget for everything this process sends to Stripe: the worker's re-reads,
 * reconciliation and API-driven changes.
 */
export function buildStripeIntegration(config: StripeSettings, db: Database, clock: Clock, jobs: () => JobQueue | undefined): StripeIntegration | null {
  if (!config.STRIPE_SECRET_KEY) return null;
  const budget = createRequestBudget(config.STRIPE_MAX_REQUESTS_PER_SECOND);
  const gateway = createStripeGateway(createStripeClient({ secretKey: config.STRIPE_SECRET_KEY, apiBase: config.STRIPE_API_BASE, budget }));
  return {
    gateway,
    publicBaseUrl: publicBaseUrlOf(config),
    processor: createStripeEventProcessor({ gateway, db, clock, plans: config.catalogue.plans, defaultLocale: config.DEFAULT_LOCALE, jobs }),
  };
}
