import type { FastifyInstance } from 'fastify';
import Stripe from 'stripe';
import type { TrustProxy } from '../../src/config/trust-proxy-setting.ts';
import type { DatabaseKind } from '../../src/db/database.ts';
import type { ProviderId } from '../../src/domain/provider.ts';
import type { ServiceContext } from '../../src/services/service-context.ts';
import { systemClock, type ManualClock, type Clock } from '../../src/shared/clock.ts';
import type { PaypalWebhookSettings } from '../../src/providers/payments/paypal/create-paypal-webhook-verifier-from-settings.ts';
import { buildWebhookContext } from '../../src/webhooks/build-webhook-context.ts';
import type { EventProcessor } from '../../src/webhooks/inbox-event.ts';
import type { WebhookContext } from '../../src/webhooks/webhook-context.ts';
import { startTestApp } from '../support/test-app.ts';
import type { TestDatabase } from '../support/test-database.ts';
import { buildWebhookVerifiers } from '../../src/runtime/build-payment-providers.ts';

export const SECRET = 'whsec_recur_test_current';
export const OLD_SECRET = 'whsec_recur_test_previous';

export type WebhookTestApp = {
  app: FastifyInstance;
  ctx: ServiceContext & { webhooks: WebhookContext };
  clock: ManualClock;
  database: TestDatabase;
  auth: string;
  logLines: string[];
  close(): Promise<void>;
};

export type WebhookTestOptions = {
  secrets?: string[] | null;
  processors?: Partial<Record<ProviderId, EventProcessor>>;
  maxAttempts?: number;
  adminEmails?: string[];
  bodyLimitBytes?: number;
  /** Verified webhook deliveries per minute per address; default 0 (no limit). */
  rateLimitPerMinute?: number;
  /** Refused webhook requests per minute per address; default 0 (no limit). */
  unverifiedLimitPerMinute?: number;
  /** TRUST_PROXY of the app; default off. */
  trustProxy?: TrustProxy;
  /** Replaces the manual clock as the app's clock (the sandbox's, in delivery tests). */
  clock?: Clock;
  /** PayPal's settings: with a client id, secret and webhook id, PayPal's real verifier checks `POST /webhooks/paypal`. */
  paypal?: Partial<PaypalWebhookSettings>;
};

const PAYPAL_DEFAULTS = { PAYPAL_MODE: 'sandbox', PAYPAL_MAX_REQUESTS_PER_SECOND: 10, PAYPAL_WEBHOOK_VERIFICATION: 'offline' } as const;

/** A recur HTTP app with webhooks configured, on a fresh database of the given kind. */
export async function startWebhookTestApp(kind: DatabaseKind, options: WebhookTestOptions = {}): Promise<WebhookTestApp> {
  const secrets = options.secrets === undefined ? [SECRET] : options.secrets;
  const webhooks = buildWebhookContext(
    {
      WEBHOOK_MAX_ATTEMPTS: options.maxAttempts ?? 8,
      WEBHOOK_BODY_LIMIT_BYTES: options.bodyLimitBytes ?? 4096,
      ADMIN_EMAILS: options.adminEmails,
      WEBHOOK_RATE_LIMIT_PER_MINUTE: options.rateLimitPerMinute ?? 0,
      WEBHOOK_UNVERIFIED_LIMIT_PER_MINUTE: options.unverifiedLimitPerMinute ?? 0,
      WEBHOOK_CLAIM_LEASE_SECONDS: 300,
    },
    { verifiers: buildWebhookVerifiers({ STRIPE_WEBHOOK_SECRET: secrets ?? undefined, ...PAYPAL_DEFAULTS, ...options.paypal }, options.clock ?? systemClock), processors: options.processors ?? {} },
  );
  // The same context object the routes hold, so a test may still set fields on it afterwards.
  return (await startTestApp(kind, { webhooks, ...(options.clock ? { clock: options.clock } : {}), ...(options.trustProxy !== undefined ? { settings: { TRUST_PROXY: options.trustProxy } } : {}) })) as WebhookTestApp;
}

/** A Stripe-shaped event body, as text: the signature is over these exact bytes. */
export function stripeEventBody(id: string, type = 'invoice.paid', created = Date.parse('2026-03-01T09:59:00Z') / 1000): string {
  return JSON.stringify({ id, object: 'event', api_version: '2025-01-27.acacia', created, type, livemode: false, data: { object: { id: `in_${id}`, object: 'invoice' } } });
}

/** The `Stripe-Signature` header the official SDK computes, timestamped by the given clock time. */
export function signStripe(payload: string, secret: string, at: Date): string {
  return Stripe.webhooks.generateTestHeaderString({ payload, secret, timestamp: Math.floor(at.getTime() / 1000) });
}

export async function countInbox(t: { ctx: ServiceContext }): Promise<number> {
  const result = await t.ctx.db.query<{ n: number }>('SELECT count(*)::int AS n FROM webhook_inbox');
  return result.rows[0]!.n;
}

export type InboxRowView = { provider_event_id: string; status: string; attempts: number; next_attempt_at: Date | null; last_error: string | null; processed_at: Date | null };

export async function readInboxRow(t: { ctx: ServiceContext }, providerEventId: string): Promise<InboxRowView> {
  const result = await t.ctx.db.query<InboxRowView>(
    'SELECT provider_event_id, status, attempts, next_attempt_at, last_error, processed_at FROM webhook_inbox WHERE provider_event_id = $1',
    [providerEventId],
  );
  if (!result.rows[0]) throw new Error(`no inbox row for ${providerEventId}`);
  return result.rows[0];
}
