import type { Config } from '../config/load-config.ts';
import type { Database } from '../db/database.ts';
import type { EnqueueOptions } from '../jobs/job-definition.ts';
import type { DeliveryCallbackVerifier, EmailSender, SmsSender } from '../providers/messaging/messaging.ts';
import type { Clock } from '../shared/clock.ts';
import type { WebhookContext } from '../webhooks/webhook-context.ts';
import type { OutgoingWebhooksContext } from './outgoing-webhooks/outgoing-webhooks-context.ts';
import type { PaymentProviders } from './payment-providers.ts';

export type ServiceSettings = Pick<
  Config,
  | 'catalogue'
  | 'PAST_DUE_GRACE_DAYS'
  | 'DEFAULT_LOCALE'
  | 'ADMIN_EMAILS'
  | 'RECONCILE_CRON'
  | 'STRIPE_MAX_REQUESTS_PER_SECOND'
  | 'PAYPAL_MAX_REQUESTS_PER_SECOND'
  | 'FRAUD_DECLINE_THRESHOLD'
  | 'FRAUD_DECLINE_WINDOW_DAYS'
  | 'FRAUD_REFUND_POLICY'
  | 'DISPUTE_POLICY'
  | 'DEFAULT_TIME_ZONE'
  | 'PUBLIC_BASE_URL'
  | 'HOST'
  | 'PORT'
  | 'STRIPE_API_BASE'
  | 'TRIAL_REMINDER_DAYS'
  | 'TRIAL_ENDING_DAYS'
  | 'RENEWAL_REMINDER_DAYS'
  | 'DUNNING_SCHEDULE_DAYS'
  | 'SMS_QUIET_HOURS'
  | 'NOTIFICATION_MAX_ATTEMPTS'
  | 'NOTICES_CRON'
  | 'WEBHOOK_DISABLE_AFTER_FAILED_DAYS'
  | 'WEBHOOK_DELIVERY_RETENTION_DAYS'
  | 'ADMIN_SESSION_IDLE_MINUTES'
  | 'PUBLIC_BASE_URL'
  | HttpPerimeterSetting
> &
  // Settings with a default a test may leave out: absent, the default applies.
  Partial<Pick<Config, 'ENTITLEMENT_WHILE_PROCESSING' | 'SEPA_CREDITOR_ID'>>;

/** How the HTTP server meets the network: deadlines, the proxies it trusts, who may fail how often, idempotency keys, the metrics token. */
type HttpPerimeterSetting =
  | 'HTTP_HEADERS_TIMEOUT_SECONDS'
  | 'HTTP_REQUEST_TIMEOUT_SECONDS'
  | 'HTTP_KEEP_ALIVE_TIMEOUT_SECONDS'
  | 'TRUST_PROXY'
  | 'API_KEY_FAILURE_LIMIT'
  | 'IDEMPOTENCY_KEY_TTL_HOURS'
  | 'IDEMPOTENCY_KEY_LEASE_SECONDS'
  | 'API_RATE_LIMIT_PER_SECOND'
  | 'API_RATE_LIMIT_BURST'
  | 'METRICS_TOKEN';

export type JobQueue = { enqueue(name: string, payload: unknown, options?: EnqueueOptions): Promise<string | null> };

/**
 * Sending notices: the senders (null where a channel is not configured: its rows wait), the
 * verifiers of their delivery callbacks, and what links in notices are made of.
 */
export type MessagingContext = {
  email: EmailSender | null;
  sms: SmsSender | null;
  emailCallbacks: DeliveryCallbackVerifier | null;
  smsCallbacks: DeliveryCallbackVerifier | null;
  /** Where customers' browsers and providers' callbacks reach recur. */
  publicBaseUrl: string;
  /** Signs cancel and payment-method links (HMAC-SHA256). */
  linkSecret: string;
  /** The key linkSecret replaced (LINK_SIGNING_SECRET_PREVIOUS): links signed with it still verify until they expire. */
  previousLinkSecret?: string | null;
};

/** What every service needs, built once at start-up and passed down. */
export type ServiceContext = {
  db: Database;
  clock: Clock;
  config: ServiceSettings;
  /** Queues a job (inside a transaction with `tx`); absent where no job engine runs (some tests). */
  jobs?: JobQueue;
  /** Webhook ingest and processing; absent, the webhook routes answer 503 not_configured. */
  webhooks?: WebhookContext;
  /** The configured payment providers (payment-providers.ts); absent, none is configured. */
  payments?: PaymentProviders;
  /** Present when the service runs its notifications (always in `recur start`). */
  messaging?: MessagingContext;
  /** The shop's webhook endpoints and their delivery; absent, their routes answer 503 not_configured. */
  outgoingWebhooks?: OutgoingWebhooksContext;
};

/** Who is acting, for the audit log: `api_key:{id}`, `cli`, `webhook:{provider}:{event}`. */
export type Actor = string;
