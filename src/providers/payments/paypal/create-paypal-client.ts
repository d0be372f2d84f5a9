import { resolvePaypalApiBase } from '../../../config/paypal-api-base.ts';
import type { Clock } from '../../../shared/clock.ts';
import { createRequestBudget, type RequestBudget } from '../../../shared/request-budget.ts';
import { createPaypalSdkClient } from './create-paypal-sdk-client.ts';
import { createPaypalHttp, type PaypalHttp } from './paypal-http.ts';
import { createPaypalRestClient, type PaypalRestClient } from './paypal-rest-client.ts';
import { createPaypalSdkCalls, type PaypalSdkCalls } from './paypal-sdk-calls.ts';
import type { AsyncWebhookVerifier } from './verify-paypal-webhook.ts';
import { createPaypalWebhookVerifierFromSettings, type PaypalWebhookSettings } from './create-paypal-webhook-verifier-from-settings.ts';

export type PaypalSettings = PaypalWebhookSettings;

/** Everything recur needs to talk to PayPal, sharing one transport (one token cache, one request budget). */
export type PaypalClient = { http: PaypalHttp; sdk: PaypalSdkCalls; rest: PaypalRestClient; verifyWebhook: AsyncWebhookVerifier };

/**
 * The PayPal client layer from the parsed settings (checked by `checkPaypalSettings` at start, the
 * root CA file included).
 * null when PayPal is not configured. `budget`: the process's PayPal budget, when the caller
 * already holds one; else one of PAYPAL_MAX_REQUESTS_PER_SECOND.
 */
export function createPaypalClient(settings: PaypalSettings, clock: Clock, budget?: RequestBudget): PaypalClient | null {
  const { PAYPAL_CLIENT_ID: clientId, PAYPAL_CLIENT_SECRET: clientSecret, PAYPAL_WEBHOOK_ID: webhookId } = settings;
  if (!clientId || !clientSecret || !webhookId) return null;
  const apiBase = resolvePaypalApiBase(settings);
  const http = createPaypalHttp({ apiBase, clientId, clientSecret, clock, budget: budget ?? createRequestBudget(settings.PAYPAL_MAX_REQUESTS_PER_SECOND) });
  const rest = createPaypalRestClient(http);
  const verifyWebhook = createPaypalWebhookVerifierFromSettings(settings, clock, http)!;
  return { http, sdk: createPaypalSdkCalls(createPaypalSdkClient(http, settings.PAYPAL_MODE)), rest, verifyWebhook };
}
