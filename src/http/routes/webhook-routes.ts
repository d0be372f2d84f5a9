import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { isProviderId } from '../../domain/provider.ts';
import type { ServiceContext } from '../../services/service-context.ts';
import { ingestWebhook, type IngestOutcome } from '../../webhooks/ingest-webhook.ts';
import { sendError } from '../error-handler.ts';
import { installWebhookPerimeter } from '../webhook-perimeter.ts';
import { deliveryCallbackRoutes } from './delivery-callback-routes.ts';
import { z } from 'zod';
import { documented, withExample } from '../api-examples.ts';
import { DOCUMENTED_BODY } from '../openapi-transform.ts';
import { errorJson } from '../presenters.ts';

/**
 * `POST /webhooks/:provider`, outside the API-key scope: the provider's signature is the
 * authentication. Register it in its own encapsulated scope: it replaces the JSON parser with a
 * raw-bytes one there, and only there.
 */
export async function webhookRoutes(app: FastifyInstance, ctx: ServiceContext, bodyLimitBytes: number): Promise<void> {
  // Nothing is parsed before verification: the signature is over the bytes as sent.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: bodyLimitBytes }, (_request, body, done) => done(null, body));

  // Per client address, in this process: unsigned junk is refused before its body is read and
  // counted apart from verified deliveries, so it cannot hold a provider's retries at 429.
  installWebhookPerimeter(app, { verifiedPerMinute: ctx.webhooks?.rateLimitPerMinute ?? 0, unverifiedPerMinute: ctx.webhooks?.unverifiedLimitPerMinute ?? 0 });

  // SendGrid and Twilio report deliveries here; these static routes win over the parametric one below.
  deliveryCallbackRoutes(app, ctx, bodyLimitBytes);

  app.post<{ Params: { provider: string } }>('/webhooks/:provider', { bodyLimit: bodyLimitBytes, schema: providerWebhookDocs }, async (request, reply) => {
    const { provider } = request.params;
    if (!isProviderId(provider)) return sendError(request, reply, { status: 404, code: 'route_not_found', message: `recur takes no webhooks from "${provider}"` });
    const raw = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
    const outcome = await ingestWebhook(ctx, { provider, raw, headers: request.headers });
    if (outcome.outcome === 'accepted') wakeWorker(ctx, request);
    return answer(request, reply, outcome);
  });
}

const webhookErrors = { 400: errorJson, 404: errorJson, 413: errorJson, 429: errorJson, 503: errorJson };

const providerWebhookDocs = {
  tags: ['webhooks'],
  summary: "A provider's event (Stripe's, signed in Stripe-Signature; PayPal's, signed in its PAYPAL-TRANSMISSION-* headers): verified over the raw bytes, stored, answered; processed later",
  security: [],
  [DOCUMENTED_BODY]: withExample(z.object({ id: z.string(), object: z.literal('event'), type: z.string(), created: z.number().int(), data: z.object({ object: z.record(z.string(), z.unknown()) }) }).loose(), {
    id: 'evt_1QdY4r2eZvKYlo2CkP0wZ7tN',
    object: 'event',
    type: 'invoice.payment_failed',
    created: 1774951204,
    data: { object: { id: 'in_1QdY4q2eZvKYlo2CqR8sT1uV', object: 'invoice', customer: 'cus_RkP3vW9xYz1AbC', subscription: 'sub_1QdXyZ2eZvKYlo2C8h5N3kPq', amount_due: 2999, currency: 'eur', status: 'open' } },
  }),
  response: {
    200: documented(z.object({ received: z.literal(true), duplicate: z.literal(true).optional() }), 'Stored (or already stored: duplicate)', { received: true }),
    ...webhookErrors,
  },
};

function answer(request: FastifyRequest, reply: FastifyReply, outcome: IngestOutcome): FastifyReply {
  switch (outcome.outcome) {
    case 'accepted':
      return reply.status(200).send({ received: true });
    case 'duplicate':
      return reply.status(200).send({ received: true, duplicate: true });
    case 'parked':
      // 200: the provider would only send the same bytes again. Ids and reason only, never the body.
      request.log.warn({ providerEventId: outcome.providerEventId, reason: outcome.reason }, 'webhook event parked: stored dead, not processed');
      return reply.status(200).send({ received: true });
    case 'not-configured':
      // 503, not 404: the provider keeps retrying, so events sent while a secret is missing arrive once it is set.
      return sendError(request, reply, { status: 503, code: 'not_configured', message: 'no webhook signing secret is configured for this provider' });
    case 'too-large':
      return sendError(request, reply, { status: 413, code: 'payload_too_large', message: `the body is larger than ${outcome.limitBytes} bytes` });
    case 'bad-signature':
      return sendError(request, reply, { status: 400, code: 'invalid_signature', message: 'the signature is missing, does not match, or is too old' });
    case 'malformed':
      return sendError(request, reply, { status: 400, code: 'malformed_json', message: 'the signed body is not a JSON event' });
    case 'verification-unavailable':
      // 503: PayPal delivers again later; by then its certificate host may answer.
      request.log.warn('webhook not verified: a signing certificate could not be fetched; the provider will retry');
      return sendError(request, reply, { status: 503, code: 'verification_unavailable', message: 'the signature could not be checked now (the provider\'s certificate could not be fetched); deliver it again' });
    case 'store-failed':
      // The message only: a database error never carries the payload, and the body is never logged.
      request.log.error({ error: messageOf(outcome.error) }, 'webhook could not be stored; the provider will retry');
      return sendError(request, reply, { status: 503, code: 'storage_unavailable', message: 'the event could not be stored; deliver it again' });
    default:
      return assertNever(outcome);
  }
}

function wakeWorker(ctx: ServiceContext, request: FastifyRequest): void {
  const wake = ctx.webhooks?.wakeWorker;
  if (!wake) return;
  // The row is stored; if waking fails the minutely schedule still picks it up.
  wake().catch((error: unknown) => request.log.warn({ error: messageOf(error) }, 'could not wake the inbox worker'));
}

const messageOf = (error: unknown): string => (error instanceof Error ? error.message : String(error));

function assertNever(value: never): never {
  throw new Error(`unhandled ingest outcome ${JSON.stringify(value)}`);
}
