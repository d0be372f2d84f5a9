import { paypalIds } from './ids.ts';
import type { StoredWebhook } from './paypal-state.ts';
import { isoSeconds, type PaypalRuntime } from './runtime.ts';
import { signTransmission } from './webhook-signature.ts';

/** Events kept for the deliveries list; older ones are forgotten. */
const KEPT_EVENTS = 500;

export type ResourceType = 'subscription' | 'sale' | 'capture' | 'refund' | 'checkout-order' | 'dispute';

function wants(webhook: StoredWebhook, eventType: string): boolean {
  return webhook.event_types.includes('*') || webhook.event_types.includes(eventType);
}

export function certificateUrl(rt: PaypalRuntime): string {
  return `${rt.apiBase()}/v1/notifications/certs/CERT-${rt.data.authority?.certId ?? 'missing'}`;
}

/**
 * Raises one PayPal event: its body in PayPal's shape, posted through the sandbox's dispatcher (so
 * its faults apply) to each registered webhook that listens for the type, signed at every attempt
 * as PayPal signs: a fresh transmission id and time, SHA256withRSA over
 * `id|time|webhook id|crc32(body)`, and the URL of the certificate that checks it.
 */
export function emitEvent(rt: PaypalRuntime, eventType: string, resourceType: ResourceType, resource: Record<string, unknown>, summary: string): string {
  const id = paypalIds.event();
  // Sales are v1 resources; subscriptions, captures, refunds, orders and disputes are v2 ones.
  const resourceVersion = resourceType === 'sale' ? undefined : '2.0';
  const event = {
    id,
    event_version: '1.0',
    create_time: isoSeconds(rt.now()),
    resource_type: resourceType,
    ...(resourceVersion ? { resource_version: resourceVersion } : {}),
    event_type: eventType,
    summary,
    resource,
    links: [
      { href: `${rt.apiBase()}/v1/notifications/webhooks-events/${id}`, rel: 'self', method: 'GET' },
      { href: `${rt.apiBase()}/v1/notifications/webhooks-events/${id}/resend`, rel: 'resend', method: 'POST' },
    ],
  };
  const body = JSON.stringify(event);
  const webhooks = Object.values(rt.data.webhooks).filter((webhook) => wants(webhook, eventType));
  rt.data.events.push({ id, event_type: eventType, create_time: event.create_time, webhook_ids: webhooks.map((webhook) => webhook.id) });
  if (rt.data.events.length > KEPT_EVENTS) rt.data.events.splice(0, rt.data.events.length - KEPT_EVENTS);
  for (const webhook of webhooks) {
    rt.sandbox.webhooks.send({
      provider: 'paypal',
      eventId: id,
      eventType,
      url: webhook.url,
      body,
      headers: () => transmissionHeaders(rt, webhook.id, body),
    });
  }
  return id;
}

function transmissionHeaders(rt: PaypalRuntime, webhookId: string, body: string): Record<string, string> {
  const authority = rt.data.authority;
  if (!authority) throw new Error('the PayPal sandbox has no signing certificate yet');
  const transmissionId = paypalIds.transmission();
  const transmissionTime = isoSeconds(rt.now());
  return {
    'content-type': 'application/json',
    'user-agent': 'PayPal/AUHD-214.0-58845474',
    'paypal-auth-algo': 'SHA256withRSA',
    'paypal-auth-version': 'v2',
    'paypal-cert-url': certificateUrl(rt),
    'paypal-transmission-id': transmissionId,
    'paypal-transmission-time': transmissionTime,
    'paypal-transmission-sig': signTransmission({ transmissionId, transmissionTime, webhookId, body }, authority.signingKeyPem),
  };
}
