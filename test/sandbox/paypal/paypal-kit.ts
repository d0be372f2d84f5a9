import { createPublicKey, verify, X509Certificate } from 'node:crypto';
import { Client, Environment } from '@paypal/paypal-server-sdk';
import { startSandbox, type RunningSandbox } from '../../../sandbox/core/start-sandbox.ts';
import { crc32 } from '../../../sandbox/paypal/crc32.ts';
import { createPaypalSandbox, defaultPaypalCredentials } from '../../../sandbox/paypal/paypal-sandbox.ts';
import type { ReceivedRequest } from '../messaging/support/messaging-kit.ts';

export { startWebhookListener, type ReceivedRequest } from '../messaging/support/messaging-kit.ts';

export const sandboxStart = new Date('2026-03-01T10:00:00Z');
const PAYPAL_SANDBOX_API = 'https://api-m.sandbox.paypal.com';

export function startPaypalSandbox(options: { stateFile?: string; start?: Date } = {}): Promise<RunningSandbox> {
  return startSandbox({ start: options.start ?? sandboxStart, providers: [createPaypalSandbox()], webhookRetryDelaysMs: [50, 100], ...(options.stateFile ? { stateFile: options.stateFile } : {}) });
}

/** PayPal's official SDK, its requests sent to the sandbox instead of PayPal's sandbox host. */
export function paypalSdk(sandboxUrl: string): Client {
  const rewrite = (url: string) => url.replace(PAYPAL_SANDBOX_API, `${sandboxUrl}/paypal`);
  return new Client({
    clientCredentialsAuthCredentials: { oAuthClientId: defaultPaypalCredentials.clientId, oAuthClientSecret: defaultPaypalCredentials.clientSecret },
    environment: Environment.Sandbox,
    timeout: 10_000,
    httpClientOptions: { retryConfig: { maxNumberOfRetries: 0 } },
    unstable_httpClientOptions: {
      adapter: 'fetch',
      env: {
        fetch: (input: string | URL | Request, init?: RequestInit) =>
          input instanceof Request ? fetch(new Request(rewrite(input.url), input)) : fetch(rewrite(String(input)), init),
      },
    },
  });
}

export async function accessToken(sandboxUrl: string): Promise<string> {
  const basic = Buffer.from(`${defaultPaypalCredentials.clientId}:${defaultPaypalCredentials.clientSecret}`).toString('base64');
  const response = await fetch(`${sandboxUrl}/paypal/v1/oauth2/token`, { method: 'POST', headers: { authorization: `Basic ${basic}`, 'content-type': 'application/x-www-form-urlencoded' }, body: 'grant_type=client_credentials' });
  return ((await response.json()) as { access_token: string }).access_token;
}

export type JsonAnswer = { status: number; body: Record<string, unknown> & { [key: string]: unknown } };

/** A plain-fetch PayPal call with a bearer token (for what the SDK does not cover). */
export async function paypalCall(sandboxUrl: string, token: string, method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<JsonAnswer> {
  const response = await fetch(`${sandboxUrl}/paypal${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  return { status: response.status, body: text ? (JSON.parse(text) as JsonAnswer['body']) : {} };
}

export const linkOf = (object: { links?: unknown }, rel: string): string => ((object.links ?? []) as { rel: string; href: string }[]).find((link) => link.rel === rel)!.href;

/** Submits a hosted approval page's form as the chosen test payer would; returns the redirect (or the page). */
export async function approveAs(approveUrl: string, payer: string): Promise<Response> {
  const page = await (await fetch(approveUrl)).text();
  const action = /<form method="post" action="([^"]+)"/.exec(page)![1]!.replaceAll('&amp;', '&');
  const hidden = [...page.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g)].map((match) => [match[1]!, match[2]!] as [string, string]);
  return fetch(action, { method: 'POST', redirect: 'manual', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams([...hidden, ['payer', payer]]).toString() });
}

export type PaypalEvent = { id: string; event_type: string; resource_type: string; resource: Record<string, unknown>; create_time: string; summary: string; links: unknown[] };

export const eventsOf = (received: ReceivedRequest[]): PaypalEvent[] => received.map((request) => JSON.parse(request.body) as PaypalEvent);

/**
 * Checks a delivery as a receiver does offline: the certificate from its URL, issued by the
 * sandbox's root, and SHA256withRSA over `transmission id|time|webhook id|crc32(raw body)`.
 */
export async function signatureHolds(request: ReceivedRequest, webhookId: string, rootPem: string): Promise<boolean> {
  const header = (name: string) => String(request.headers[name] ?? '');
  if (header('paypal-auth-algo') !== 'SHA256withRSA') return false;
  const certificate = new X509Certificate(await (await fetch(header('paypal-cert-url'))).text());
  if (!certificate.verify(new X509Certificate(rootPem).publicKey)) return false;
  const message = `${header('paypal-transmission-id')}|${header('paypal-transmission-time')}|${webhookId}|${crc32(Buffer.from(request.body, 'utf8'))}`;
  return verify('sha256', Buffer.from(message), createPublicKey(certificate.publicKey.export({ type: 'spki', format: 'pem' })), Buffer.from(header('paypal-transmission-sig'), 'base64'));
}

export const monthlyPlan = (productId: string, options: { trialDays?: number; threshold?: number; price?: string; unit?: 'MONTH' | 'YEAR' } = {}) => ({
  product_id: productId,
  name: options.unit === 'YEAR' ? 'Yearly' : 'Monthly',
  billing_cycles: [
    ...(options.trialDays ? [{ tenure_type: 'TRIAL', sequence: 1, total_cycles: 1, frequency: { interval_unit: 'DAY', interval_count: options.trialDays } }] : []),
    {
      tenure_type: 'REGULAR',
      sequence: options.trialDays ? 2 : 1,
      total_cycles: 0,
      frequency: { interval_unit: options.unit ?? 'MONTH', interval_count: 1 },
      pricing_scheme: { fixed_price: { value: options.price ?? '9.99', currency_code: 'EUR' } },
    },
  ],
  payment_preferences: { auto_bill_outstanding: true, payment_failure_threshold: options.threshold ?? 3 },
});
