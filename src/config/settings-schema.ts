import { z } from 'zod';
import { trustProxySetting } from './trust-proxy-setting.ts';

const integerSetting = (min: number, max: number) =>
  z
    .string()
    .trim()
    .regex(/^\d+$/, `expected a whole number from ${min} to ${max}`)
    .transform(Number)
    .pipe(z.number().int().min(min, `expected a whole number from ${min} to ${max}`).max(max, `expected a whole number from ${min} to ${max}`));

const postgresUrl = z
  .string()
  .trim()
  .refine((value) => /^postgres(ql)?:\/\//.test(value) && URL.canParse(value), 'expected a URL like postgres://user@host:5432/database');

const httpUrl = (example: string) =>
  z
    .string()
    .trim()
    .refine((value) => URL.canParse(value) && /^https?:$/.test(new URL(value).protocol), `expected an http(s) URL such as ${example}`)
    .transform((value) => value.replace(/\/+$/, ''));

/** Loopback hosts an emulator may listen on; anything else must be reached over TLS. */
export const LOOPBACK_HOSTNAMES: ReadonlySet<string> = new Set(['127.0.0.1', 'localhost', '[::1]']);

function isHttpsOrLoopbackUrl(value: string): boolean {
  if (!URL.canParse(value)) return false;
  const url = new URL(value);
  return url.protocol === 'https:' || (url.protocol === 'http:' && LOOPBACK_HOSTNAMES.has(url.hostname));
}

/**
 * A SEPA creditor identifier (EPC262-08): ISO country, two check digits, a three-character
 * business code, the national identifier. The check digits are ISO 7064 MOD 97-10 over the
 * national identifier followed by the country and "00", the business code left out.
 */
export function isSepaCreditorId(value: string): boolean {
  const match = /^([A-Z]{2})(\d{2})[A-Z0-9]{3}([A-Z0-9]{1,28})$/.exec(value);
  if (!match) return false;
  const [, country, check, national] = match as unknown as [string, string, string, string];
  const digits = `${national}${country}00`.replace(/[A-Z]/g, (letter) => String(letter.charCodeAt(0) - 55));
  let remainder = 0;
  for (const digit of digits) remainder = (remainder * 10 + Number(digit)) % 97;
  return 98 - remainder === Number(check);
}

function isTimeZone(value: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: value });
    return true;
  } catch {
    return false;
  }
}

/**
 * Every environment setting recur reads, with its default and its meaning. `.env.example` is
 * checked against this list by a test, so adding a setting here without documenting it fails CI.
 */
export const settingsSchema = z.object({
  PORT: integerSetting(0, 65535).default(3000),
  HOST: z.string().trim().min(1, 'expected a host name or address').default('127.0.0.1'),
  RECUR_DATA_DIR: z.string().trim().min(1, 'expected a directory path').default('./.recur'),
  DATABASE_URL: postgresUrl.optional(),
  RECUR_CONFIG_FILE: z.string().trim().min(1, 'expected a file path').optional(),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** json: one JSON object a line (for a log collector); pretty: readable lines; auto: pretty on a terminal, else json. */
  LOG_FORMAT: z.enum(['auto', 'json', 'pretty']).default('auto'),
  DEFAULT_LOCALE: z.enum(['nl', 'en']).default('en'),
  PAST_DUE_GRACE_DAYS: integerSetting(0, 60).default(7),
  /** While a debit is processing (SEPA: days; it may still fail): grant access as if paid, or deny it until the bank says paid. */
  ENTITLEMENT_WHILE_PROCESSING: z.enum(['grant', 'deny']).default('grant'),
  /**
   * The SEPA creditor identifier the shop's debits are collected under (its own, or its payment
   * provider's as the mandate names it), stated in the pre-notification of each debit.
   */
  SEPA_CREDITOR_ID: z
    .string()
    .trim()
    .transform((value) => value.replace(/\s+/g, '').toUpperCase())
    .refine(isSepaCreditorId, 'expected a SEPA creditor identifier such as NL69ZZZ123456780000 (country, check digits, business code, national id)')
    .optional(),
  JOB_POLL_INTERVAL_SECONDS: z
    .string()
    .trim()
    .regex(/^\d+(\.\d+)?$/, 'expected seconds from 0.5 to 60')
    .transform(Number)
    .pipe(z.number().min(0.5, 'expected seconds from 0.5 to 60').max(60, 'expected seconds from 0.5 to 60'))
    .default(1),
  STRIPE_SECRET_KEY: z.string().trim().regex(/^(sk|rk)_(test|live)_\S+$/, 'expected a Stripe secret key (sk_test_…, sk_live_… or a restricted rk_…)').optional(),
  /** Several secrets, comma-separated, while an endpoint's secret is being rotated. */
  STRIPE_WEBHOOK_SECRET: z
    .string()
    .trim()
    .transform((value) => value.split(',').map((secret) => secret.trim()).filter(Boolean))
    .pipe(z.array(z.string().regex(/^whsec_\S+$/, 'expected webhook signing secrets (whsec_…), comma-separated')).min(1))
    .optional(),
  STRIPE_API_BASE: z
    .string()
    .trim()
    .refine((value) => URL.canParse(value) && /^https?:$/.test(new URL(value).protocol), 'expected an http(s) URL such as http://127.0.0.1:12111')
    .optional(),
  /** Where customers' browsers reach recur (the checkout return URL); unset: http://HOST:PORT. */
  PUBLIC_BASE_URL: z
    .string()
    .trim()
    .refine((value) => URL.canParse(value) && /^https?:$/.test(new URL(value).protocol), 'expected an http(s) URL such as https://billing.example.com')
    .transform((value) => value.replace(/\/+$/, ''))
    .optional(),
  WEBHOOK_MAX_ATTEMPTS: integerSetting(1, 50).default(8),
  /** Who gets admin alerts (a dead webhook, ...), comma-separated; unset: alerts are only in the audit log. */
  ADMIN_EMAILS: z
    .string()
    .trim()
    .transform((value) => value.split(',').map((email) => email.trim()).filter(Boolean))
    .pipe(z.array(z.email('expected e-mail addresses, comma-separated')).min(1))
    .optional(),
  /** Seconds a worker's claim on a webhook event lasts; after it, another worker (or a restart) retries it. */
  WEBHOOK_CLAIM_LEASE_SECONDS: integerSetting(10, 3600).default(300),
  WEBHOOK_BODY_LIMIT_BYTES: integerSetting(1024, 5 * 1024 * 1024).default(512 * 1024),
  /**
   * The provider emulators beside `recur start` (ADR 0014). auto: when no provider is configured
   * (and refuses a partly configured deployment); on: development, emulate whichever providers have
   * no settings; off: never. Never beside a live Stripe key, only on a loopback HOST.
   */
  SANDBOX: z.enum(['auto', 'on', 'off']).default('auto'),
  SANDBOX_PORT: integerSetting(0, 65535).default(12111),
  SANDBOX_STATE_FILE: z.string().trim().min(1, 'expected a file path').optional(),
  HTTP_BODY_LIMIT_BYTES: integerSetting(1024, 10 * 1024 * 1024).default(1024 * 1024),
  /** Seconds a client has to send a request's headers; at most HTTP_REQUEST_TIMEOUT_SECONDS. */
  HTTP_HEADERS_TIMEOUT_SECONDS: integerSetting(1, 300).default(10),
  /** Seconds a client has to send a whole request, headers and body (408 beyond it). */
  HTTP_REQUEST_TIMEOUT_SECONDS: integerSetting(1, 600).default(30),
  /** Seconds an idle keep-alive connection stays open; above a proxy's own idle timeout (often 60 s). */
  HTTP_KEEP_ALIVE_TIMEOUT_SECONDS: integerSetting(1, 600).default(72),
  /** Which proxies may name the client's address (X-Forwarded-For): off, true (every hop), or the proxies' addresses/CIDRs. */
  TRUST_PROXY: trustProxySetting.default(false),
  /** Verified webhook deliveries per minute one client address may send to /webhooks/*; 0 switches the limit off. */
  WEBHOOK_RATE_LIMIT_PER_MINUTE: integerSetting(0, 1_000_000).default(6000),
  /** Refused webhook requests (no or a wrong signature, a malformed body) per minute from one address before all its webhook requests get 429; 0: no limit. */
  WEBHOOK_UNVERIFIED_LIMIT_PER_MINUTE: integerSetting(0, 1_000_000).default(60),
  /** Failed API-key checks per 10 minutes from one address before all its /v1 requests get 429; 0: no limit. */
  API_KEY_FAILURE_LIMIT: integerSetting(0, 1_000_000).default(20),
  /** Minutes an admin dashboard session may sit unused before it ends and the next page asks to sign in again. */
  ADMIN_SESSION_IDLE_MINUTES: integerSetting(1, 24 * 60).default(30),
  /** Hours the first answer to a POST with an Idempotency-Key is kept for retries with that key. */
  IDEMPOTENCY_KEY_TTL_HOURS: integerSetting(1, 168).default(24),
  /** Seconds a request holds its Idempotency-Key while at work; after them (a crash, a hang) a retry may do the work. */
  IDEMPOTENCY_KEY_LEASE_SECONDS: integerSetting(5, 3600).default(60),
  /**
   * Requests per second one API key may keep sending to /v1, after its burst; 0 switches the limit
   * off. Far above a shop's own traffic, far below a loop that retries without waiting.
   */
  API_RATE_LIMIT_PER_SECOND: integerSetting(0, 1_000_000).default(200),
  /** Requests one API key may send at once after a quiet while (the bucket's size; RateLimit-Limit). */
  API_RATE_LIMIT_BURST: integerSetting(1, 1_000_000).default(1000),
  /** Bearer token that /metrics asks for; unset: /metrics answers 404. */
  METRICS_TOKEN: z.string().trim().min(32, 'expected at least 32 characters of random text').optional(),
  /** When reconciliation runs, as a 5-field cron expression in UTC; "off" never (only `recur sync`). */
  RECONCILE_CRON: z
    .string()
    .trim()
    .refine((value) => value === 'off' || /^(\S+\s+){4}\S+$/.test(value), 'expected a 5-field cron expression such as "0 * * * *", or off')
    .default('0 * * * *'),
  /**
   * Requests per second this process may send to Stripe, all callers together (webhook worker,
   * reconciliation, API-driven changes). Stripe allows 25 in test mode and 100 live: the default
   * fits both; raise it to 100 with a live key, beyond only with a limit Stripe raised for the account.
   */
  STRIPE_MAX_REQUESTS_PER_SECOND: integerSetting(1, 1000).default(25),
  PAYPAL_CLIENT_ID: z.string().trim().regex(/^[A-Za-z0-9_-]{8,128}$/, 'expected the REST app\'s client ID from PayPal\'s developer dashboard').optional(),
  PAYPAL_CLIENT_SECRET: z.string().trim().min(8, 'expected the REST app\'s secret from PayPal\'s developer dashboard').optional(),
  /** The id PayPal gave recur's webhook endpoint: a signed delivery names it, so a delivery for another endpoint is refused. */
  PAYPAL_WEBHOOK_ID: z.string().trim().regex(/^[A-Za-z0-9_-]{1,64}$/, 'expected the webhook ID PayPal shows for recur\'s endpoint').optional(),
  /** Which PayPal: its sandbox (test accounts, no real money) or live; decides the API base when PAYPAL_API_BASE is unset. */
  PAYPAL_MODE: z.enum(['sandbox', 'live']).default('sandbox'),
  /** A PayPal-compatible API (the local sandbox); unset: PayPal's own API for PAYPAL_MODE. https, except on loopback. */
  PAYPAL_API_BASE: z
    .string()
    .trim()
    .refine((value) => isHttpsOrLoopbackUrl(value), 'expected an https URL, or http on loopback such as http://127.0.0.1:12111/paypal')
    .transform((value) => value.replace(/\/+$/, ''))
    .optional(),
  /** Requests per second this process sends to PayPal, all callers together (PayPal publishes no fixed limit; it answers 429 beyond its own). */
  PAYPAL_MAX_REQUESTS_PER_SECOND: integerSetting(1, 1000).default(10),
  /**
   * How a PayPal webhook is verified: offline (signature checked here, with PayPal's certificate,
   * cached), postback (PayPal's verify-webhook-signature call for each delivery) or offline, and
   * the postback only when offline fails.
   */
  PAYPAL_WEBHOOK_VERIFICATION: z.enum(['offline', 'postback', 'offline-then-postback']).default('offline'),
  /** PEM file of the root certificate a local PayPal sandbox signs its webhook certificates with; only with a loopback PAYPAL_API_BASE in sandbox mode. */
  PAYPAL_SANDBOX_ROOT_CA_FILE: z.string().trim().min(1, 'expected a file path').optional(),
  /** Declined card charges within FRAUD_DECLINE_WINDOW_DAYS at which a customer without a successful payment is banned. */
  FRAUD_DECLINE_THRESHOLD: integerSetting(2, 1000).default(5),
  FRAUD_DECLINE_WINDOW_DAYS: integerSetting(1, 365).default(30),
  /** What the fraud ban does with the banned customer's succeeded charges: refund them all, or none. */
  FRAUD_REFUND_POLICY: z.enum(['all', 'none']).default('all'),
  /** On a new dispute: accept it at once (close it at Stripe), or hold it for evidence. */
  DISPUTE_POLICY: z.enum(['accept', 'hold']).default('hold'),
  SENDGRID_API_KEY: z.string().trim().min(1, 'expected a SendGrid API key (SG.…)').optional(),
  /** The sender of every e-mail, "name <address>" or a bare address; required with SENDGRID_API_KEY. */
  SENDGRID_FROM: z
    .string()
    .trim()
    .refine((value) => z.email().safeParse(/<([^>]+)>\s*$/.exec(value)?.[1] ?? value).success, 'expected an address, or "Shop name <address>"')
    .optional(),
  /** The Event Webhook's verification key (base64 DER, from SendGrid's signed-webhook settings); unset: e-mail callbacks answer 503. */
  SENDGRID_WEBHOOK_PUBLIC_KEY: z.string().trim().regex(/^[A-Za-z0-9+/=]{40,}$/, 'expected the base64 public key SendGrid shows for the signed Event Webhook').optional(),
  SENDGRID_API_BASE: httpUrl('http://127.0.0.1:12111/sendgrid').optional(),
  TWILIO_ACCOUNT_SID: z.string().trim().regex(/^AC[0-9a-fA-F]{32}$/, 'expected an account SID (AC followed by 32 hex digits)').optional(),
  TWILIO_AUTH_TOKEN: z.string().trim().min(1, 'expected the auth token').optional(),
  /** The sender of every SMS: an E.164 number, or an alphanumeric sender ID where the country allows it. */
  TWILIO_FROM: z.string().trim().regex(/^(\+[1-9]\d{6,14}|(?=.*[A-Za-z])[A-Za-z0-9 ]{1,11})$/, 'expected an E.164 number such as +3197010000000, or an alphanumeric sender of up to 11 characters').optional(),
  TWILIO_API_BASE: httpUrl('http://127.0.0.1:12111/twilio').optional(),
  /** Dates in notices and SMS quiet hours use the customer's zone, or this one. */
  DEFAULT_TIME_ZONE: z.string().trim().refine(isTimeZone, 'expected an IANA time zone such as Europe/Amsterdam').default('Europe/Amsterdam'),
  /** Days before the first charge of a trial that the card-network reminder goes out; never fewer than 7. */
  TRIAL_REMINDER_DAYS: integerSetting(7, 60).default(7),
  TRIAL_ENDING_DAYS: integerSetting(1, 30).default(3),
  RENEWAL_REMINDER_DAYS: integerSetting(1, 90).default(30),
  /** Days after a failed payment that follow-ups go out, comma-separated, ascending; the last is the final warning (with SMS). */
  DUNNING_SCHEDULE_DAYS: z
    .string()
    .trim()
    .regex(/^\d+(\s*,\s*\d+)*$/, 'expected whole days, comma-separated, such as 3,7,14')
    .transform((value) => value.split(',').map((day) => Number(day.trim())))
    .refine((days) => days.every((day, index) => day >= 1 && day <= 60 && (index === 0 || day > days[index - 1]!)), 'expected ascending days from 1 to 60')
    .default([3, 7, 14]),
  /** No SMS in these local hours of the customer ("21:00-08:00"); a due SMS waits for the end. "off": none. */
  SMS_QUIET_HOURS: z
    .string()
    .trim()
    .refine((value) => value === 'off' || /^([01]\d|2[0-3]):[0-5]\d-([01]\d|2[0-3]):[0-5]\d$/.test(value), 'expected HH:MM-HH:MM such as 21:00-08:00, or off')
    .default('21:00-08:00'),
  /** Attempts at sending one notice before it is dead (shown in GET /v1/notifications). */
  NOTIFICATION_MAX_ATTEMPTS: integerSetting(1, 50).default(10),
  /** When recur looks for notices that are due (reminders, dunning, the monthly report), as a 5-field cron expression in UTC. */
  NOTICES_CRON: z
    .string()
    .trim()
    .refine((value) => value === 'off' || /^(\S+\s+){4}\S+$/.test(value), 'expected a 5-field cron expression such as "*/5 * * * *", or off')
    .default('*/5 * * * *'),
  /**
   * Whether the shop's webhook endpoints may resolve to loopback, private (RFC 1918, CGNAT,
   * fc00::/7), link-local or other special-purpose addresses (documentation, benchmarking,
   * multicast, NAT64 or 6to4 of any of these): auto = only in the key-less development start (no
   * provider configured).
   */
  WEBHOOK_ENDPOINTS_ALLOW_PRIVATE_TARGETS: z.enum(['auto', 'on', 'off']).default('auto'),
  /** How long one delivery to a shop's endpoint may take, connect to answer, before it counts as failed. */
  WEBHOOK_DELIVERY_TIMEOUT_SECONDS: integerSetting(1, 60).default(10),
  /** How long the old signing secret stays valid after a rotation (both signatures are sent meanwhile), unless the request says. */
  WEBHOOK_SECRET_OVERLAP_HOURS: integerSetting(0, 720).default(24),
  /** An endpoint whose deliveries failed this many days in a row (no success between) is disabled. */
  WEBHOOK_DISABLE_AFTER_FAILED_DAYS: integerSetting(1, 60).default(3),
  /**
   * Days a finished (succeeded or failed) delivery to a shop's endpoint is kept, with its attempts;
   * an event is kept as long, and while any delivery of it is; a replay reaches back this far.
   */
  WEBHOOK_DELIVERY_RETENTION_DAYS: integerSetting(1, 3650).default(30),
  /** Signs the cancel and card links in notices (HMAC-SHA256); required with real provider keys; unset in development: a key recur makes, in a 0600 file of the data directory. */
  LINK_SIGNING_SECRET: z.string().min(32, 'expected at least 32 characters of random text').optional(),
  /** The key LINK_SIGNING_SECRET replaced: links signed with it still work until they expire, and endpoints' secrets sealed under it are sealed again at start. */
  LINK_SIGNING_SECRET_PREVIOUS: z.string().min(32, 'expected at least 32 characters of random text').optional(),
  /** The shop's name in notices' greetings, subjects, signatures and SMS; wins over notices.shop_name of recur.config.json. */
  SHOP_NAME: z.string().trim().min(1).max(80, 'expected a name of at most 80 characters').optional(),
});

export type Settings = z.output<typeof settingsSchema>;
export const settingNames = Object.keys(settingsSchema.shape) as (keyof Settings)[];
