import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { z } from 'zod';
import { catalogueSchema, defaultCatalogue, type Catalogue } from './catalogue-schema.ts';
import { checkPaypalSettings } from './check-paypal-settings.ts';
import { settingsSchema, type Settings } from './settings-schema.ts';
import { configuredShopName, messagingReachesCustomers, UNNAMED_SHOP } from './shop-name.ts';
import { validateNoticeOverrides } from '../notifications/render-notice.ts';

export type Config = Settings & {
  catalogue: Catalogue;
  /** Where the catalogue came from, for the start-up banner. */
  catalogueSource: string;
};

/** A configuration problem, phrased as one line that names the setting. */
export class ConfigError extends Error {
  override name = 'ConfigError';
}

const DEFAULT_CONFIG_FILE = 'recur.config.json';

/** Settings whose value a configuration error names but never shows. */
const SECRET_SETTINGS: ReadonlySet<string> = new Set(['DATABASE_URL', 'STRIPE_SECRET_KEY', 'STRIPE_WEBHOOK_SECRET', 'PAYPAL_CLIENT_SECRET', 'SENDGRID_API_KEY', 'TWILIO_AUTH_TOKEN', 'LINK_SIGNING_SECRET', 'LINK_SIGNING_SECRET_PREVIOUS', 'METRICS_TOKEN']);

/**
 * Parses the whole configuration once, at start-up. Empty environment values count as unset so
 * that a blank line copied from `.env.example` means "use the default".
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env, cwd = process.cwd()): Config {
  const raw = Object.fromEntries(Object.entries(env).filter(([, value]) => value !== undefined && value.trim() !== ''));
  const parsed = settingsSchema.safeParse(raw);
  if (!parsed.success) throw new ConfigError(describeIssues(parsed.error, raw, (path) => path.join('.')));
  const settings = parsed.data;
  checkSettingGroups(settings);
  const { catalogue, source } = loadCatalogue(settings.RECUR_CONFIG_FILE, cwd);
  if (messagingReachesCustomers(settings) && configuredShopName({ ...settings, catalogue }) === null) {
    // Customers would get mail and SMS signed "recur": say so before anything is sent.
    throw new ConfigError(`SHOP_NAME: required when SendGrid or Twilio send to real customers, who would otherwise get notices signed "${UNNAMED_SHOP}" (or set notices.shop_name in recur.config.json) (missing)`);
  }
  return { ...settings, catalogue, catalogueSource: source };
}

/** Settings that only work together: half a provider is a mistake to say at start, not at the first send. */
function checkSettingGroups(settings: Settings): void {
  if (settings.HTTP_HEADERS_TIMEOUT_SECONDS > settings.HTTP_REQUEST_TIMEOUT_SECONDS) {
    throw new ConfigError(`HTTP_HEADERS_TIMEOUT_SECONDS: at most HTTP_REQUEST_TIMEOUT_SECONDS (${settings.HTTP_REQUEST_TIMEOUT_SECONDS}), which covers the headers too (got ${settings.HTTP_HEADERS_TIMEOUT_SECONDS})`);
  }
  checkPaypalSettings(settings);
  if (settings.LINK_SIGNING_SECRET_PREVIOUS && !settings.LINK_SIGNING_SECRET) throw new ConfigError('LINK_SIGNING_SECRET_PREVIOUS: only beside LINK_SIGNING_SECRET, the key that replaced it (missing LINK_SIGNING_SECRET)');
  if (settings.LINK_SIGNING_SECRET_PREVIOUS && settings.LINK_SIGNING_SECRET_PREVIOUS === settings.LINK_SIGNING_SECRET) throw new ConfigError('LINK_SIGNING_SECRET_PREVIOUS: the key replaced, so not the same as LINK_SIGNING_SECRET (<hidden>)');
  if (settings.SENDGRID_API_KEY && !settings.SENDGRID_FROM) throw new ConfigError('SENDGRID_FROM: required with SENDGRID_API_KEY (the sender of every e-mail) (missing)');
  const twilio = { TWILIO_ACCOUNT_SID: settings.TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN: settings.TWILIO_AUTH_TOKEN, TWILIO_FROM: settings.TWILIO_FROM };
  const missing = Object.entries(twilio).filter(([, value]) => !value).map(([name]) => name);
  if (missing.length > 0 && missing.length < 3) throw new ConfigError(`${missing.join(', ')}: required with the other Twilio settings (missing)`);
}

function loadCatalogue(configuredPath: string | undefined, cwd: string): { catalogue: Catalogue; source: string } {
  const path = resolve(cwd, configuredPath ?? DEFAULT_CONFIG_FILE);
  if (!existsSync(path)) {
    if (configuredPath) throw new ConfigError(`RECUR_CONFIG_FILE: file not found: ${path}`);
    return { catalogue: defaultCatalogue, source: 'built-in default (monthly EUR 29.99, yearly EUR 299.90, 30-day trial; card, iDEAL, Bancontact, SEPA Direct Debit)' };
  }
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new ConfigError(`${path}: not valid JSON (${(error as Error).message})`);
  }
  const parsed = catalogueSchema.safeParse(json);
  if (!parsed.success) throw new ConfigError(describeIssues(parsed.error, json, (p) => `${path}: ${formatJsonPath(p)}`));
  // A shop's own wording must use known placeholders and keep what the card networks require.
  const problems = validateNoticeOverrides(parsed.data.notices.templates);
  if (problems.length > 0) throw new ConfigError(problems.map((problem) => `${path}: ${problem}`).join('; '));
  return { catalogue: parsed.data, source: path };
}

function describeIssues(error: z.ZodError, input: unknown, name: (path: PropertyKey[]) => string): string {
  return error.issues
    .map((issue) => {
      const got = valueAt(input, issue.path);
      const shown = got === undefined ? 'missing' : `got ${JSON.stringify(got)}`;
      return `${name(issue.path)}: ${issue.message} (${shown})`;
    })
    .join('; ');
}

function valueAt(input: unknown, path: PropertyKey[]): unknown {
  let current: unknown = input;
  for (const key of path) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<PropertyKey, unknown>)[key];
  }
  // Never echo a secret back (a database URL may carry a password).
  if (SECRET_SETTINGS.has(String(path[0]))) return '<hidden>';
  return current;
}

function formatJsonPath(path: PropertyKey[]): string {
  return path.map((key) => (typeof key === 'number' ? `[${key}]` : `.${String(key)}`)).join('').replace(/^\./, '') || '(root)';
}
