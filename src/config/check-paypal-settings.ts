import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { ConfigError } from './load-config.ts';
import { isLoopbackSandbox } from './paypal-api-base.ts';
import type { Settings } from './settings-schema.ts';

type PaypalSettings = Pick<
  Settings,
  'PAYPAL_CLIENT_ID' | 'PAYPAL_CLIENT_SECRET' | 'PAYPAL_WEBHOOK_ID' | 'PAYPAL_MODE' | 'PAYPAL_API_BASE' | 'PAYPAL_SANDBOX_ROOT_CA_FILE'
>;

/**
 * The PayPal settings that only work together, each failure one line naming the setting. A
 * half-configured PayPal (an id without its secret, credentials without the webhook id that
 * webhook verification needs) is refused at start rather than at the first payment.
 */
export function checkPaypalSettings(settings: PaypalSettings): void {
  const { PAYPAL_CLIENT_ID: id, PAYPAL_CLIENT_SECRET: secret } = settings;
  if (id && !secret) throw new ConfigError('PAYPAL_CLIENT_SECRET: required with PAYPAL_CLIENT_ID (missing)');
  if (secret && !id) throw new ConfigError('PAYPAL_CLIENT_ID: required with PAYPAL_CLIENT_SECRET (missing)');
  if ((id || secret) && !settings.PAYPAL_WEBHOOK_ID) {
    throw new ConfigError('PAYPAL_WEBHOOK_ID: required with PAYPAL_CLIENT_ID, to check that a webhook delivery is meant for recur\'s endpoint (missing)');
  }
  const caFile = settings.PAYPAL_SANDBOX_ROOT_CA_FILE;
  if (caFile === undefined) return;
  if (!isLoopbackSandbox(settings)) {
    // A private root of trust would let whoever holds its key forge PayPal webhooks for real money.
    throw new ConfigError(
      `PAYPAL_SANDBOX_ROOT_CA_FILE: only with PAYPAL_MODE=sandbox and a loopback PAYPAL_API_BASE (got PAYPAL_MODE=${settings.PAYPAL_MODE}, PAYPAL_API_BASE=${settings.PAYPAL_API_BASE ?? 'unset'})`,
    );
  }
  readRootCertificate(caFile);
}

/** The sandbox's root certificate, read and parsed once at start, so a wrong path fails there and not at the first webhook. */
export function readRootCertificate(path: string): X509Certificate {
  let pem: string;
  try {
    pem = readFileSync(path, 'utf8');
  } catch (error) {
    throw new ConfigError(`PAYPAL_SANDBOX_ROOT_CA_FILE: cannot read ${path} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
  }
  try {
    const certificate = new X509Certificate(pem);
    if (!certificate.ca) throw new Error('not a CA certificate');
    return certificate;
  } catch (error) {
    throw new ConfigError(`PAYPAL_SANDBOX_ROOT_CA_FILE: ${path} is not a PEM CA certificate (${(error as Error).message})`);
  }
}
