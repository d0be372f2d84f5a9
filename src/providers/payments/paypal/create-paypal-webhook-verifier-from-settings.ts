import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { isLoopbackSandbox, resolvePaypalApiBase } from '../../../config/paypal-api-base.ts';
import type { Settings } from '../../../config/settings-schema.ts';
import type { Clock } from '../../../shared/clock.ts';
import { createRequestBudget } from '../../../shared/request-budget.ts';
import { createPaypalHttp, type PaypalHttp } from './paypal-http.ts';
import { createPaypalRestClient } from './paypal-rest-client.ts';
import { createPaypalWebhookVerifier, type AsyncWebhookVerifier } from './verify-paypal-webhook.ts';

export type PaypalWebhookSettings = Pick<
  Settings,
  | 'PAYPAL_CLIENT_ID'
  | 'PAYPAL_CLIENT_SECRET'
  | 'PAYPAL_WEBHOOK_ID'
  | 'PAYPAL_MODE'
  | 'PAYPAL_API_BASE'
  | 'PAYPAL_MAX_REQUESTS_PER_SECOND'
  | 'PAYPAL_WEBHOOK_VERIFICATION'
  | 'PAYPAL_SANDBOX_ROOT_CA_FILE'
>;

/**
 * PayPal's webhook verifier from the parsed settings, and nothing of the SDK: ingest needs only the
 * certificate check, and the postback client when PAYPAL_WEBHOOK_VERIFICATION asks PayPal. `http`:
 * a transport the caller already holds (its token and budget are shared); else one is made for the
 * postback only, when the setting needs it. null when PayPal is not configured.
 */
export function createPaypalWebhookVerifierFromSettings(settings: PaypalWebhookSettings, clock: Clock, http?: PaypalHttp): AsyncWebhookVerifier | null {
  const { PAYPAL_CLIENT_ID: clientId, PAYPAL_CLIENT_SECRET: clientSecret, PAYPAL_WEBHOOK_ID: webhookId } = settings;
  if (!clientId || !clientSecret || !webhookId) return null;
  const apiBase = resolvePaypalApiBase(settings);
  const rootCaFile = settings.PAYPAL_SANDBOX_ROOT_CA_FILE;
  const needsPostback = settings.PAYPAL_WEBHOOK_VERIFICATION !== 'offline';
  const transport = needsPostback ? (http ?? createPaypalHttp({ apiBase, clientId, clientSecret, clock, budget: createRequestBudget(settings.PAYPAL_MAX_REQUESTS_PER_SECOND) })) : null;
  const rest = transport ? createPaypalRestClient(transport) : null;
  return createPaypalWebhookVerifier({
    mode: settings.PAYPAL_MODE,
    webhookId,
    verification: settings.PAYPAL_WEBHOOK_VERIFICATION,
    postback: rest ? (request) => rest.verifyWebhookSignature(request) : undefined,
    loopbackSandbox: rootCaFile && isLoopbackSandbox(settings) ? { apiBase, rootCa: new X509Certificate(readFileSync(rootCaFile)) } : undefined,
  });
}
