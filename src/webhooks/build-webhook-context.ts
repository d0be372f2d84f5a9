import type { Config } from '../config/load-config.ts';
import type { ProviderId } from '../domain/provider.ts';
import { createStripeWebhookVerifier } from '../providers/payments/stripe/verify-stripe-webhook.ts';
import type { EventProcessor } from './inbox-event.ts';
import type { WebhookContext } from './webhook-context.ts';

type WebhookSettings = Pick<Config, 'STRIPE_WEBHOOK_SECRET' | 'WEBHOOK_MAX_ATTEMPTS' | 'WEBHOOK_BODY_LIMIT_BYTES' | 'WEBHOOK_RATE_LIMIT_PER_MINUTE' | 'WEBHOOK_UNVERIFIED_LIMIT_PER_MINUTE' | 'WEBHOOK_CLAIM_LEASE_SECONDS' | 'ADMIN_EMAILS'>;

/** One verifier per provider whose signing secret is configured; the rest answer 503 not_configured. */
export function buildWebhookContext(config: WebhookSettings, processors: Partial<Record<ProviderId, EventProcessor>>): WebhookContext {
  return {
    verifiers: config.STRIPE_WEBHOOK_SECRET ? { stripe: createStripeWebhookVerifier(config.STRIPE_WEBHOOK_SECRET) } : {},
    processors,
    maxAttempts: config.WEBHOOK_MAX_ATTEMPTS,
    bodyLimitBytes: config.WEBHOOK_BODY_LIMIT_BYTES,
    rateLimitPerMinute: config.WEBHOOK_RATE_LIMIT_PER_MINUTE,
    unverifiedLimitPerMinute: config.WEBHOOK_UNVERIFIED_LIMIT_PER_MINUTE,
    claimLeaseMs: config.WEBHOOK_CLAIM_LEASE_SECONDS * 1000,
    adminEmails: config.ADMIN_EMAILS ?? [],
  };
}
