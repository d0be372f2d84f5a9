import type { Config } from '../config/load-config.ts';

/** What the sandbox describes of its PayPal: where, the credentials, and the webhooks registered. */
export type SandboxPaypal = { baseUrl: string; clientId: string; clientSecret: string; webhooks: { id: string; url: string }[] };

export const PAYPAL_WEBHOOK_PATH = '/webhooks/paypal';
const pathOf = (url: string): string | null => (URL.canParse(url) ? new URL(url).pathname : null);

/** recur's PayPal webhook URL as HOST and PORT foresee it, before recur listens. */
function intendedWebhookUrl(config: Pick<Config, 'HOST' | 'PORT'>): string {
  const host = config.HOST.includes(':') ? `[${config.HOST}]` : config.HOST;
  return `http://${host}:${config.PORT}${PAYPAL_WEBHOOK_PATH}`;
}

/** The webhook an earlier start on this state file registered (at whatever port recur had then): its id stays recur's. */
function earlierPaypalWebhook(paypal: SandboxPaypal): { id: string; url: string } | null {
  return paypal.webhooks.find((webhook) => pathOf(webhook.url) === PAYPAL_WEBHOOK_PATH) ?? null;
}

/**
 * The webhook recur's verifier checks deliveries against (its id is signed into every one), so it
 * is known before recur starts: the one an earlier start registered, else a new one at the address
 * HOST and PORT foresee (`pointPaypalWebhookAt` moves it once recur listens).
 */
export async function claimPaypalWebhook(sandboxUrl: string, paypal: SandboxPaypal, config: Pick<Config, 'HOST' | 'PORT'>): Promise<{ id: string; url: string }> {
  return earlierPaypalWebhook(paypal) ?? registerPaypalWebhook(sandboxUrl, intendedWebhookUrl(config));
}

async function registerPaypalWebhook(sandboxUrl: string, url: string): Promise<{ id: string; url: string }> {
  const response = await fetch(`${sandboxUrl}/paypal/sandbox/webhooks`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ url }) });
  if (!response.ok) throw new Error(`registering recur's PayPal webhook at the sandbox failed: HTTP ${response.status}`);
  const webhook = (await response.json()) as { id: string; url: string };
  return { id: webhook.id, url: webhook.url };
}

/**
 * Points recur's PayPal webhook at the address recur listens on, through PayPal's own webhook API
 * (as a shop moves its endpoint): the id stays, so the verifier built with it keeps working.
 * Other webhooks at recur's path (a second registration of another start on this state file) are
 * removed, so the sandbox does not keep delivering to dead addresses (or hold the URL this one needs).
 */
export async function pointPaypalWebhookAt(paypal: SandboxPaypal, webhook: { id: string; url: string }, url: string): Promise<void> {
  const basic = Buffer.from(`${paypal.clientId}:${paypal.clientSecret}`).toString('base64');
  const grant = await fetch(`${paypal.baseUrl}/v1/oauth2/token`, { method: 'POST', headers: { authorization: `Basic ${basic}`, 'content-type': 'application/x-www-form-urlencoded' }, body: 'grant_type=client_credentials' });
  if (!grant.ok) throw new Error(`a token from the PayPal sandbox failed: HTTP ${grant.status}`);
  const { access_token: token } = (await grant.json()) as { access_token: string };
  const call = async (method: string, path: string, body?: unknown): Promise<Response> => {
    const response = await fetch(`${paypal.baseUrl}${path}`, { method, headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) }, ...(body ? { body: JSON.stringify(body) } : {}) });
    if (!response.ok) throw new Error(`${method} ${path} at the PayPal sandbox failed: HTTP ${response.status}`);
    return response;
  };
  const { webhooks } = (await (await call('GET', '/v1/notifications/webhooks')).json()) as { webhooks: { id: string; url: string }[] };
  for (const stale of webhooks.filter((other) => other.id !== webhook.id && pathOf(other.url) === PAYPAL_WEBHOOK_PATH)) {
    await call('DELETE', `/v1/notifications/webhooks/${encodeURIComponent(stale.id)}`);
  }
  if (webhook.url !== url) await call('PATCH', `/v1/notifications/webhooks/${encodeURIComponent(webhook.id)}`, [{ op: 'replace', path: '/url', value: url }]);
}
