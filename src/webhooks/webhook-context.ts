import type { Database } from '../db/database.ts';
import type { ProviderId } from '../domain/provider.ts';
import type { EventProcessor } from './inbox-event.ts';
import type { WebhookVerifier } from './webhook-verifier.ts';

/** Everything the ingest route and the inbox worker need beyond the database and the clock. */
export type WebhookContext = {
  /** A provider without a verifier (no signing secret configured) answers 503 not_configured. */
  verifiers: Partial<Record<ProviderId, WebhookVerifier>>;
  /** A provider without a processor has its events marked ignored, replayable later. */
  processors: Partial<Record<ProviderId, EventProcessor>>;
  maxAttempts: number;
  bodyLimitBytes: number;
  /** How long a worker's claim on an inbox row lasts before another worker may take it. */
  claimLeaseMs?: number;
  /** Verified deliveries per minute per client address on /webhooks/*; absent or 0: no limit. */
  rateLimitPerMinute?: number;
  /** Refused requests (unsigned, forged, malformed) per minute per client address before all of its get 429; absent or 0: no limit. */
  unverifiedLimitPerMinute?: number;
  /** Recipients of admin alerts; empty: alerts are recorded in the audit log only. */
  adminEmails: readonly string[];
  /**
   * The inbox worker's own connections (PostgreSQL: a small pool apart from the one HTTP requests
   * use, so a burst of deliveries cannot starve the worker); absent, the worker shares the service's.
   */
  workerDb?: Database;
  /** Asks the job engine to process the inbox soon; the minutely schedule is the safety net. */
  wakeWorker?: () => Promise<void>;
};
