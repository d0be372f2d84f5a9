import type { Config } from '../config/load-config.ts';
import type { ProviderId } from '../domain/provider.ts';
import type { EventProcessor } from './inbox-event.ts';
import type { WebhookContext } from './webhook-context.ts';
import type { WebhookVerifier } from './webhook-verifier.ts';

type WebhookSettings = Pick<Config, 'WEBHOOK_MAX_ATTEMPTS' | 'WEBHOOK_BODY_LIMIT_BYTES' | 'WEBHOOK_RATE_LIMIT_PER_MINUTE' | 'WEBHOOK_UNVERIFIED_LIMIT_PER_MINUTE' | 'WEBHOOK_CLAIM_LEASE_SECONDS' | 'ADMIN_EMAILS'>;

/**
 * The providers' verifiers and processors (built in src/runtime/build-payment-providers.ts) with the
 * ingest limits; a provider without a verifier answers 503 not_configured.
 */
export function buildWebhookContext(
  config: WebhookSettings,
  { verifiers, processors }: { verifiers: Partial<Record<ProviderId, WebhookVerifier>>; processors: Partial<Record<ProviderId, EventProcessor>> },
): WebhookContext {
  return {
    verifiers,
    processors,
    maxAttempts: config.WEBHOOK_MAX_ATTEMPTS,
    bodyLimitBytes: config.WEBHOOK_BODY_LIMIT_BYTES,
    rateLimitPerMinute: config.WEBHOOK_RATE_LIMIT_PER_MINUTE,
    unverifiedLimitPerMinute: config.WEBHOOK_UNVERIFIED_LIMIT_PER_MINUTE,
    claimLeaseMs: config.WEBHOOK_CLAIM_LEASE_SECONDS * 1000,
    adminEmails: config.ADMIN_EMAILS ?? [],
  };
}
