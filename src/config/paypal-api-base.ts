import { LOOPBACK_HOSTNAMES, type Settings } from './settings-schema.ts';

/** PayPal's own REST API, by PAYPAL_MODE. */
export const PAYPAL_API_BASES = { live: 'https://api-m.paypal.com', sandbox: 'https://api-m.sandbox.paypal.com' } as const;

type BaseSettings = Pick<Settings, 'PAYPAL_MODE' | 'PAYPAL_API_BASE'>;

/** The API base recur talks to: the configured one, else PayPal's for the mode. */
export function resolvePaypalApiBase(settings: BaseSettings): string {
  return settings.PAYPAL_API_BASE ?? PAYPAL_API_BASES[settings.PAYPAL_MODE];
}

/** True when the API base is an emulator on this machine in sandbox mode: the only place a private root CA may be trusted. */
export function isLoopbackSandbox(settings: BaseSettings): boolean {
  return settings.PAYPAL_MODE === 'sandbox' && settings.PAYPAL_API_BASE !== undefined && LOOPBACK_HOSTNAMES.has(new URL(settings.PAYPAL_API_BASE).hostname);
}
