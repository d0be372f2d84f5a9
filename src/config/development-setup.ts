import { isIP } from 'node:net';
import { ConfigError } from './load-config.ts';
import type { Settings } from './settings-schema.ts';

/**
 * The settings by which an operator configures each provider. A provider with any of them set is
 * configured.
 */
export const PROVIDER_SETTINGS = {
  stripe: ['STRIPE_SECRET_KEY', 'STRIPE_WEBHOOK_SECRET'],
  paypal: ['PAYPAL_CLIENT_ID', 'PAYPAL_CLIENT_SECRET', 'PAYPAL_WEBHOOK_ID'],
  sendgrid: ['SENDGRID_API_KEY', 'SENDGRID_WEBHOOK_PUBLIC_KEY'],
  twilio: ['TWILIO_ACCOUNT_SID', 'TWILIO_AUTH_TOKEN'],
} as const satisfies Record<string, readonly (keyof Settings)[]>;

export type EmulatedProvider = keyof typeof PROVIDER_SETTINGS;
const PROVIDERS = Object.keys(PROVIDER_SETTINGS) as EmulatedProvider[];
/** A deployment may take payments without PayPal: its absence beside configured providers is not a forgotten key. */
const OPTIONAL_PROVIDERS: readonly EmulatedProvider[] = ['paypal'];

type ProviderSettings = Pick<Settings, (typeof PROVIDER_SETTINGS)[EmulatedProvider][number] | 'PAYPAL_MODE'>;
const isLiveStripeKey = (key: string | undefined): boolean => /^(sk|rk)_live_/.test(key ?? '');
/** PayPal's live API with credentials: real money, like a live Stripe key. */
const isLivePaypal = (settings: ProviderSettings): boolean => settings.PAYPAL_MODE === 'live' && settings.PAYPAL_CLIENT_ID !== undefined;
type SetupSettings = ProviderSettings & Pick<Settings, 'SANDBOX' | 'HOST' | 'LINK_SIGNING_SECRET'>;

export const configuredProviders = (settings: ProviderSettings): EmulatedProvider[] =>
  PROVIDERS.filter((provider) => PROVIDER_SETTINGS[provider].some((name) => settings[name] !== undefined));

/**
 * Development: no provider configured, or SANDBOX=on said explicitly (never with a live Stripe
 * key or live PayPal). Everything else is a deployment that talks to real providers, and gets no
 * published secret and no generated key.
 */
export const isDevelopment = (settings: ProviderSettings & Pick<Settings, 'SANDBOX'>): boolean =>
  configuredProviders(settings).length === 0 || (settings.SANDBOX === 'on' && !isLiveStripeKey(settings.STRIPE_SECRET_KEY) && !isLivePaypal(settings));

/** 127.0.0.0/8, ::1 and localhost: addresses only this machine reaches. */
export function isLoopbackHost(host: string): boolean {
  const bare = host.replace(/^\[|\]$/g, '');
  if (bare === 'localhost') return true;
  if (isIP(bare) === 4) return bare.startsWith('127.');
  return isIP(bare) === 6 && /^(0*:)*:?0*1$/.test(bare);
}

const keyOf = (provider: EmulatedProvider): string => PROVIDER_SETTINGS[provider][0];
const PROVIDER_NAMES: Record<EmulatedProvider, string> = { stripe: 'Stripe', paypal: 'PayPal', sendgrid: 'SendGrid', twilio: 'Twilio' };

/**
 * Which providers `recur start` emulates, or why it must not start (ADR 0014):
 * - `auto`: the emulators run when no provider is configured; a deployment with some providers
 *   configured and others not is refused, naming what is missing (a forgotten key must not send
 *   customers' mail to an emulator's open inbox, nor make its published secrets valid). PayPal is
 *   optional: without its settings such a deployment runs without PayPal.
 * - `on` (development only): the providers without settings are emulated beside the configured ones.
 * - `off`: never; a provider without settings is simply not used.
 * Emulators run only beside a recur on loopback, and never beside a live Stripe key or live PayPal.
 */
export function chooseEmulatedProviders(settings: SetupSettings): EmulatedProvider[] {
  if (settings.SANDBOX === 'off') return [];
  const configured = configuredProviders(settings);
  const missing = PROVIDERS.filter((provider) => !configured.includes(provider));
  const required = missing.filter((provider) => !OPTIONAL_PROVIDERS.includes(provider));
  const live = isLiveStripeKey(settings.STRIPE_SECRET_KEY) ? 'a live Stripe key (STRIPE_SECRET_KEY sk_live_…)' : isLivePaypal(settings) ? 'live PayPal (PAYPAL_MODE=live)' : null;
  if (settings.SANDBOX === 'on' && live) {
    const advice = required.length > 0 ? `set SANDBOX=off, or the missing ${required.map(keyOf).join(', ')}` : 'set SANDBOX=auto or off';
    throw new ConfigError(`SANDBOX=on: refused beside ${live}; the sandbox is for development only (${advice})`);
  }
  if (missing.length === 0) return [];
  if (settings.SANDBOX === 'auto' && configured.length > 0) {
    if (required.length === 0) return [];
    throw new ConfigError(
      `${required.map(keyOf).join(', ')}: required beside ${configured.map(keyOf).join(', ')} (missing); set them, or SANDBOX=off to run without ${required.map((provider) => PROVIDER_NAMES[provider]).join(' and ')} (the sandbox stands in for providers only when none is configured, or with SANDBOX=on in development)`,
    );
  }
  if (!isLoopbackHost(settings.HOST)) {
    throw new ConfigError(
      `HOST: the development sandbox runs only beside a recur on loopback (127.0.0.1, ::1, localhost), got "${settings.HOST}"; set the provider keys (${missing.map(keyOf).join(', ')}), or SANDBOX=off`,
    );
  }
  return missing;
}
