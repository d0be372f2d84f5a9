import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { paypalIds } from './ids.ts';
import { paypalErrors } from './paypal-errors.ts';
import type { StoredWebhook } from './paypal-state.ts';
import type { PaypalRuntime } from './runtime.ts';
import { certificateUrl } from './webhook-events.ts';
import { verifyTransmission } from './webhook-signature.ts';
import { idempotentPost, parseBody } from './wire.ts';

const webhookBody = z.object({
  url: z.string().url().max(2048),
  event_types: z.array(z.object({ name: z.string().min(1) })).min(1),
});

// PayPal's json_patch for a webhook: only `replace`, of `/url` or `/event_types`.
const webhookPatch = z
  .array(
    z.discriminatedUnion('path', [
      z.object({ op: z.literal('replace'), path: z.literal('/url'), value: z.string().url().max(2048) }),
      z.object({ op: z.literal('replace'), path: z.literal('/event_types'), value: z.array(z.object({ name: z.string().min(1) })).min(1) }),
    ]),
  )
  .min(1);

const verifyBody = z.object({
  auth_algo: z.string().max(100),
  cert_url: z.string().max(500),
  transmission_id: z.string().max(50),
  transmission_sig: z.string().max(500),
  transmission_time: z.string(),
  webhook_id: z.string().max(50),
  webhook_event: z.record(z.string(), z.unknown()),
});

export function webhookObject(rt: PaypalRuntime, webhook: StoredWebhook): Record<string, unknown> {
  return {
    id: webhook.id,
    url: webhook.url,
    event_types: webhook.event_types.map((name) => ({ name, description: name === '*' ? 'ALL' : name })),
    links: [
      { href: `${rt.apiBase()}/v1/notifications/webhooks/${webhook.id}`, rel: 'self', method: 'GET' },
      { href: `${rt.apiBase()}/v1/notifications/webhooks/${webhook.id}`, rel: 'delete', method: 'DELETE' },
    ],
  };
}

/** Registers a webhook listening to `eventTypes` ("*": all), or returns the one already at `url`. */
export function ensureWebhook(rt: PaypalRuntime, url: string, eventTypes: string[]): StoredWebhook {
  const existing = Object.values(rt.data.webhooks).find((webhook) => webhook.url === url);
  if (existing) return existing;
  const webhook: StoredWebhook = { id: paypalIds.webhook(), url, event_types: eventTypes };
  rt.data.webhooks[webhook.id] = webhook;
  return webhook;
}

/** Webhooks v1: register, list, delete, the signing certificate, and the signature postback. */
export function registerWebhookRoutes(api: FastifyInstance, rt: PaypalRuntime): void {
  idempotentPost(api, rt, '/v1/notifications/webhooks', (request) => {
    const body = parseBody(webhookBody, request.body);
    if (Object.values(rt.data.webhooks).some((webhook) => webhook.url === body.url)) throw paypalErrors.unprocessable('WEBHOOK_URL_ALREADY_EXISTS', 'Webhook URL already exists.');
    if (Object.keys(rt.data.webhooks).length >= 10) throw paypalErrors.unprocessable('WEBHOOK_NUMBER_LIMIT_EXCEEDED', 'Webhook number limit exceeded.');
    const webhook = ensureWebhook(rt, body.url, body.event_types.map((type) => type.name));
    return { status: 201, body: webhookObject(rt, webhook) };
  });

  api.get('/v1/notifications/webhooks', async () => ({ webhooks: Object.values(rt.data.webhooks).map((webhook) => webhookObject(rt, webhook)) }));

  api.get<{ Params: { id: string } }>('/v1/notifications/webhooks/:id', async (request) => {
    const webhook = rt.data.webhooks[request.params.id];
    if (!webhook) throw paypalErrors.notFound('webhook');
    return webhookObject(rt, webhook);
  });

  // A shop moves its endpoint (a new address for recur) without a new webhook id.
  api.patch<{ Params: { id: string } }>('/v1/notifications/webhooks/:id', async (request) => {
    const webhook = rt.data.webhooks[request.params.id];
    if (!webhook) throw paypalErrors.notFound('webhook');
    const patches = parseBody(webhookPatch, request.body);
    for (const patch of patches) {
      if (patch.path === '/url') {
        if (Object.values(rt.data.webhooks).some((other) => other.id !== webhook.id && other.url === patch.value)) throw paypalErrors.unprocessable('WEBHOOK_URL_ALREADY_EXISTS', 'Webhook URL already exists.');
        webhook.url = patch.value;
      } else {
        webhook.event_types = patch.value.map((type) => type.name);
      }
    }
    return webhookObject(rt, webhook);
  });

  api.delete<{ Params: { id: string } }>('/v1/notifications/webhooks/:id', async (request, reply) => {
    if (!rt.data.webhooks[request.params.id]) throw paypalErrors.notFound('webhook');
    delete rt.data.webhooks[request.params.id];
    return reply.status(204).send();
  });

  api.get<{ Params: { certId: string } }>('/v1/notifications/certs/:certId', async (request, reply) => {
    const authority = rt.data.authority;
    if (!authority || request.params.certId !== `CERT-${authority.certId}`) throw paypalErrors.notFound('certificate');
    return reply.type('application/x-pem-file').send(authority.signingCertificatePem);
  });

  // The postback: PayPal re-serialises `webhook_event`, so it only matches a body sent without extra whitespace, as PayPal's are.
  idempotentPost(api, rt, '/v1/notifications/verify-webhook-signature', (request) => {
    const body = parseBody(verifyBody, request.body);
    const authority = rt.data.authority;
    const valid =
      authority !== null &&
      body.auth_algo === 'SHA256withRSA' &&
      body.cert_url === certificateUrl(rt) &&
      rt.data.webhooks[body.webhook_id] !== undefined &&
      verifyTransmission(
        { transmissionId: body.transmission_id, transmissionTime: body.transmission_time, webhookId: body.webhook_id, body: JSON.stringify(body.webhook_event) },
        body.transmission_sig,
        authority.signingCertificatePem,
      );
    return { status: 200, body: { verification_status: valid ? 'SUCCESS' : 'FAILURE' } };
  });
}
