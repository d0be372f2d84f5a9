import { z } from 'zod';

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
  DEFAULT_LOCALE: z.enum(['nl', 'en']).default('en'),
  PAST_DUE_GRACE_DAYS: integerSetting(0, 60).default(7),
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
  SANDBOX: z.enum(['auto', 'off']).default('auto'),
  SANDBOX_PORT: integerSetting(0, 65535).default(12111),
  SANDBOX_STATE_FILE: z.string().trim().min(1, 'expected a file path').optional(),
  HTTP_BODY_LIMIT_BYTES: integerSetting(1024, 10 * 1024 * 1024).default(1024 * 1024),
  /** Requests per minute one client address may send to /webhooks/*; 0 switches the limit off. */
  WEBHOOK_RATE_LIMIT_PER_MINUTE: integerSetting(0, 1_000_000).default(6000),
  /** When reconciliation runs, as a 5-field cron expression in UTC; "off" never (only `recur sync`). */
  RECONCILE_CRON: z
    .string()
    .trim()
    .refine((value) => value === 'off' || /^(\S+\s+){4}\S+$/.test(value), 'expected a 5-field cron expression such as "0 * * * *", or off')
    .default('0 * * * *'),
  /** Requests per second recur's reconciliation may send to Stripe (Stripe allows 25 in test mode, 100 live). */
  STRIPE_MAX_REQUESTS_PER_SECOND: integerSetting(1, 100).default(20),
  /** Declined card charges within FRAUD_DECLINE_WINDOW_DAYS at which a customer without a successful payment is banned. */
  FRAUD_DECLINE_THRESHOLD: integerSetting(2, 1000).default(5),
  FRAUD_DECLINE_WINDOW_DAYS: integerSetting(1, 365).default(30),
  /** What the fraud ban does with the banned customer's succeeded charges: refund them all, or none. */
  FRAUD_REFUND_POLICY: z.enum(['all', 'none']).default('all'),
  /** On a new dispute: accept it at once (close it at Stripe), or hold it for evidence. */
  DISPUTE_POLICY: z.enum(['accept', 'hold']).default('hold'),
});

export type Settings = z.output<typeof settingsSchema>;
export const settingNames = Object.keys(settingsSchema.shape) as (keyof Settings)[];
