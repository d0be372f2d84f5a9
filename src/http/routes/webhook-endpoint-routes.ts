import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { OUTGOING_EVENT_TYPES } from '../../domain/outgoing-event-type.ts';
import { createWebhookEndpoint } from '../../services/outgoing-webhooks/create-webhook-endpoint.ts';
import { removeWebhookEndpoint } from '../../services/outgoing-webhooks/delete-webhook-endpoint.ts';
import type { WebhookServiceContext } from '../../services/outgoing-webhooks/outgoing-webhooks-context.ts';
import { getWebhookEndpoint, listEndpointDeliveries, listEndpoints } from '../../services/outgoing-webhooks/read-webhook-endpoints.ts';
import { replayWebhookEvents } from '../../services/outgoing-webhooks/replay-webhook-events.ts';
import { retryWebhookDelivery } from '../../services/outgoing-webhooks/retry-webhook-delivery.ts';
import { rotateWebhookSecret } from '../../services/outgoing-webhooks/rotate-webhook-secret.ts';
import { updateWebhookEndpointSettings } from '../../services/outgoing-webhooks/update-webhook-endpoint.ts';
import type { ServiceContext } from '../../services/service-context.ts';
import { RecurError } from '../../shared/errors.ts';
import { documented, withExample } from '../api-examples.ts';
import { listJson, listQuery, onePage, presentPage, toPageRequest } from '../list-page.ts';
import { errorJson } from '../presenters.ts';
import { presentWebhookDelivery, presentWebhookEndpoint, webhookDeliveryExample, webhookDeliveryJson, webhookEndpointExample, webhookEndpointJson } from '../webhook-endpoint-presenters.ts';

const url = z
  .string()
  .trim()
  .max(2048)
  .refine((value) => URL.canParse(value) && /^https?:$/.test(new URL(value).protocol), 'expected an http(s) URL such as https://shop.example/hooks/recur')
  .refine((value) => !URL.canParse(value) || (new URL(value).username === '' && new URL(value).password === ''), 'expected a URL without user name or password');
const eventTypes = z
  .array(z.enum([...OUTGOING_EVENT_TYPES, '*']))
  .min(1)
  .max(OUTGOING_EVENT_TYPES.length)
  .refine((types) => !types.includes('*') || types.length === 1, 'expected ["*"] alone, or a list of event types')
  .transform((types) => [...new Set(types)]);
const description = z.string().trim().max(500).nullable();

const createBody = z.object({ url, event_types: eventTypes, description: description.optional(), enabled: z.boolean().default(true) }).strict();
const updateBody = z
  .object({ url: url.optional(), event_types: eventTypes.optional(), description: description.optional(), enabled: z.boolean().optional() })
  .strict()
  .refine((body) => Object.keys(body).length > 0, 'expected at least one of url, event_types, description, enabled');
const rotateBody = z.object({ overlap_hours: z.number().int().min(0).max(720).optional() }).strict().nullish();
const replayBody = z.object({ since: z.iso.datetime({ offset: true }).describe('events recorded at or after this time are delivered again') }).strict();
const idParam = z.object({ id: z.uuid() });
const listPage = listQuery(z.uuid(), {});

const withSecret = webhookEndpointJson.extend({ secret: z.string().describe('the signing secret (whsec_…): shown in this answer only; verify deliveries with it') });
const secretExample = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';

function requireOutgoingWebhooks(ctx: ServiceContext): WebhookServiceContext {
  if (!ctx.outgoingWebhooks) throw new RecurError('not_configured', 'webhook endpoints are not available in this process');
  return { db: ctx.db, clock: ctx.clock, config: ctx.config, outgoingWebhooks: ctx.outgoingWebhooks };
}

/** The shop's webhook endpoints: where recur pushes its events, signed per Standard Webhooks. */
export function webhookEndpointRoutes(app: FastifyInstance, ctx: ServiceContext): void {
  const api = app.withTypeProvider<ZodTypeProvider>();
  const tags = ['webhook endpoints'];

  api.post(
    '/webhook-endpoints',
    {
      // The answer shows the signing secret once: never kept for an Idempotency-Key replay.
      config: { answerHoldsSecret: true },
      schema: {
        tags,
        summary: 'Add an endpoint; its signing secret is in this answer only. Targets on loopback, private or link-local addresses are refused (webhook_target_forbidden)',
        body: withExample(createBody, { url: 'https://shop.example/hooks/recur', event_types: ['entitlement.changed', 'payment.failed'], description: 'Shop backend' }),
        response: { 201: documented(withSecret, 'The endpoint, with its secret shown this once', { ...webhookEndpointExample, secret: secretExample }), 400: errorJson, 401: errorJson, 503: errorJson },
      },
    },
    async (request, reply) => {
      const { url: target, event_types, description: text, enabled } = request.body;
      const { endpoint, secret } = await createWebhookEndpoint(requireOutgoingWebhooks(ctx), { url: target, eventTypes: event_types, description: text ?? null, enabled }, request.actor);
      return reply.status(201).send({ ...presentWebhookEndpoint(endpoint), secret });
    },
  );

  api.get(
    '/webhook-endpoints',
    {
      schema: {
        tags,
        summary: 'List endpoints, newest first (never their secrets)',
        querystring: listPage,
        response: { 200: documented(listJson(webhookEndpointJson, z.uuid()), 'Endpoints, newest first', onePage(webhookEndpointExample)), 400: errorJson, 401: errorJson },
      },
    },
    async (request) => presentPage(await listEndpoints(ctx, toPageRequest(request.query)), presentWebhookEndpoint),
  );

  api.get(
    '/webhook-endpoints/:id',
    { schema: { tags, summary: 'Read one endpoint', params: idParam, response: { 200: documented(webhookEndpointJson, 'The endpoint', webhookEndpointExample), 400: errorJson, 401: errorJson, 404: errorJson } } },
    async (request) => presentWebhookEndpoint(await getWebhookEndpoint(ctx, request.params.id)),
  );

  api.patch(
    '/webhook-endpoints/:id',
    {
      schema: {
        tags,
        summary: 'Change the URL, event types, description, or enable/disable (enabling clears the failure run); audit-logged',
        params: idParam,
        body: withExample(updateBody, { enabled: true }),
        response: { 200: documented(webhookEndpointJson, 'The endpoint as changed', webhookEndpointExample), 400: errorJson, 401: errorJson, 404: errorJson, 503: errorJson },
      },
    },
    async (request) => {
      const { url: target, event_types, description: text, enabled } = request.body;
      const changes = { ...(target !== undefined ? { url: target } : {}), ...(event_types ? { eventTypes: event_types } : {}), ...(text !== undefined ? { description: text } : {}), ...(enabled !== undefined ? { enabled } : {}) };
      return presentWebhookEndpoint(await updateWebhookEndpointSettings(requireOutgoingWebhooks(ctx), request.params.id, changes, request.actor));
    },
  );

  api.delete(
    '/webhook-endpoints/:id',
    {
      schema: {
        tags,
        summary: 'Remove an endpoint and its delivery log (audit-logged)',
        params: idParam,
        response: { 200: documented(z.object({ id: z.uuid(), deleted: z.literal(true) }), 'Removed', { id: webhookEndpointExample.id, deleted: true }), 400: errorJson, 401: errorJson, 404: errorJson, 503: errorJson },
      },
    },
    async (request) => {
      await removeWebhookEndpoint(requireOutgoingWebhooks(ctx), request.params.id, request.actor);
      return { id: request.params.id, deleted: true as const };
    },
  );

  api.post(
    '/webhook-endpoints/:id/rotate-secret',
    {
      config: { answerHoldsSecret: true },
      schema: {
        tags,
        summary: 'A new signing secret (in this answer only); the old one keeps signing for overlap_hours (WEBHOOK_SECRET_OVERLAP_HOURS), both signatures sent meanwhile',
        params: idParam,
        body: withExample(rotateBody, { overlap_hours: 24 }),
        response: {
          200: documented(withSecret, 'The endpoint with its new secret, shown this once', { ...webhookEndpointExample, previous_secret_expires_at: '2026-03-02T10:00:00.000Z', secret: secretExample }),
          400: errorJson,
          401: errorJson,
          404: errorJson,
          503: errorJson,
        },
      },
    },
    async (request) => {
      const { endpoint, secret } = await rotateWebhookSecret(requireOutgoingWebhooks(ctx), request.params.id, request.body?.overlap_hours, request.actor);
      return { ...presentWebhookEndpoint(endpoint), secret };
    },
  );

  api.get(
    '/webhook-endpoints/:id/deliveries',
    {
      schema: {
        tags,
        summary: "The endpoint's delivery log, newest first, each delivery with its attempts (status code, latency, an excerpt of the answer)",
        params: idParam,
        querystring: listPage,
        response: { 200: documented(listJson(webhookDeliveryJson, z.uuid()), 'Deliveries, newest first', onePage(webhookDeliveryExample)), 400: errorJson, 401: errorJson, 404: errorJson },
      },
    },
    async (request) => presentPage(await listEndpointDeliveries(ctx, { ...toPageRequest(request.query), endpointId: request.params.id }), presentWebhookDelivery),
  );

  api.post(
    '/webhook-endpoints/:id/replay',
    {
      schema: {
        tags,
        summary: "Deliver again every event of the endpoint's types recorded since a time (new deliveries, same webhook-id per event); audit-logged",
        params: idParam,
        body: withExample(replayBody, { since: '2026-03-01T00:00:00Z' }),
        response: { 202: documented(z.object({ queued: z.number().int() }), 'How many deliveries were queued', { queued: 42 }), 400: errorJson, 401: errorJson, 404: errorJson, 409: errorJson, 503: errorJson },
      },
    },
    async (request, reply) => reply.status(202).send(await replayWebhookEvents(requireOutgoingWebhooks(ctx), request.params.id, new Date(request.body.since), request.actor)),
  );

  api.post(
    '/webhook-deliveries/:id/retry',
    {
      schema: {
        tags,
        summary: 'One more attempt at a succeeded or failed delivery, now (audit-logged)',
        params: idParam,
        body: withExample(z.object({}).strict().nullish(), {}),
        response: { 200: documented(webhookDeliveryJson, 'The delivery, due now', { ...webhookDeliveryExample, status: 'pending', next_attempt_at: '2026-03-01T10:05:00.000Z' }), 400: errorJson, 401: errorJson, 404: errorJson, 409: errorJson, 503: errorJson },
      },
    },
    async (request) => presentWebhookDelivery(await retryWebhookDelivery(requireOutgoingWebhooks(ctx), request.params.id, request.actor)),
  );
}
