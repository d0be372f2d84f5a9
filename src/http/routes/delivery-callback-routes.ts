import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { DeliveryCallbackVerifier } from '../../providers/messaging/messaging.ts';
import { applyDeliveryUpdates } from '../../services/notifications/apply-delivery-updates.ts';
import type { ServiceContext } from '../../services/service-context.ts';
import { sendError } from '../error-handler.ts';
import { z } from 'zod';
import { documented, withExample } from '../api-examples.ts';
import { DOCUMENTED_BODY } from '../openapi-transform.ts';
import { errorJson } from '../presenters.ts';

/**
 * Delivery callbacks: SendGrid's Event Webhook (ECDSA-signed) at `/webhooks/sendgrid`, Twilio's
 * status callbacks (X-Twilio-Signature) at `/webhooks/twilio`. Registered inside the webhook
 * scope (raw bytes, rate limit). Verified, then applied at once: they only update outbox rows,
 * forward only, so there is nothing to queue. A storage failure answers 503 and the provider retries.
 */
export function deliveryCallbackRoutes(app: FastifyInstance, ctx: ServiceContext, bodyLimitBytes: number): void {
  app.post('/webhooks/sendgrid', { bodyLimit: bodyLimitBytes, schema: sendgridDocs }, async (request, reply) =>
    handle(ctx, request, reply, ctx.messaging?.emailCallbacks ?? null, 'sendgrid', 'SENDGRID_WEBHOOK_PUBLIC_KEY'),
  );
  app.post('/webhooks/twilio', { bodyLimit: bodyLimitBytes, schema: twilioDocs }, async (request, reply) =>
    handle(ctx, request, reply, ctx.messaging?.smsCallbacks ?? null, 'twilio', 'TWILIO_AUTH_TOKEN'),
  );
}

const applied = documented(z.object({ received: z.literal(true), applied: z.number().int(), unknown: z.number().int(), ignored: z.number().int() }), 'Verified and applied to the outbox (unknown: no such message; ignored: older than what is recorded, or about another message than the notice it names)', { received: true, applied: 1, unknown: 0, ignored: 0 });
const callbackErrors = { 400: errorJson, 413: errorJson, 429: errorJson, 503: errorJson };

const sendgridDocs = {
  tags: ['webhooks'],
  summary: "SendGrid's signed Event Webhook: delivery reports of notices' e-mails",
  security: [],
  [DOCUMENTED_BODY]: withExample(z.array(z.object({ email: z.string(), event: z.string(), sg_message_id: z.string(), timestamp: z.number().int() }).loose()), [
    { email: 'sanne.bakker@example.nl', event: 'delivered', sg_message_id: 'W2nRzXo8Q7mE1bT0cVgKfA.recvd-5f7d9c-1-67E1A2B3-4.0', timestamp: 1774346409 },
  ]),
  response: { 200: applied, ...callbackErrors },
};

const twilioDocs = {
  tags: ['webhooks'],
  summary: "Twilio's status callback (X-Twilio-Signature): delivery reports of notices' SMS",
  security: [],
  consumes: ['application/x-www-form-urlencoded'],
  [DOCUMENTED_BODY]: withExample(z.object({ MessageSid: z.string(), MessageStatus: z.string(), ErrorCode: z.string().optional() }).loose(), { MessageSid: 'SM3f1c2b4a5d6e7f8091a2b3c4d5e6f7a8', MessageStatus: 'delivered' }),
  response: { 200: applied, ...callbackErrors },
};

async function handle(ctx: ServiceContext, request: FastifyRequest, reply: FastifyReply, verifier: DeliveryCallbackVerifier | null, provider: 'sendgrid' | 'twilio', setting: string): Promise<FastifyReply> {
  if (!verifier || !ctx.messaging) {
    return sendError(request, reply, { status: 503, code: 'not_configured', message: `delivery callbacks need ${setting} to be configured` });
  }
  const raw = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
  // Twilio signs the URL it posted to: recur's public address, then the path and query as received.
  const url = `${ctx.messaging.publicBaseUrl}${request.url}`;
  const verified = verifier({ raw, headers: request.headers, url, receivedAt: ctx.clock.now() });
  if (!verified.ok) {
    // A refused callback leaves a notice short of `delivered`: an operator must see why (a wrong
    // key, clocks apart). The reason only: the body and signature stay out of the logs.
    request.log.warn({ provider, reason: verified.reason }, 'delivery callback rejected');
    if (verified.reason === 'malformed') return sendError(request, reply, { status: 400, code: 'malformed_json', message: 'the signed body is not a delivery callback' });
    return sendError(request, reply, { status: 400, code: 'invalid_signature', message: 'the signature is missing, does not match, or is too old' });
  }
  try {
    const { mismatched, ...applied } = await applyDeliveryUpdates(ctx, verified.updates);
    for (const row of mismatched) {
      // Signed, but about another message than the row it names: a provider mix-up or a forgery.
      request.log.warn({ provider, outboxId: row.outboxId, channel: row.channel }, 'delivery callback names a notice that was sent as another message; not applied');
    }
    return reply.status(200).send({ received: true, ...applied });
  } catch (error) {
    request.log.error({ error: error instanceof Error ? error.message : String(error) }, 'delivery callback could not be stored; the provider will retry');
    return sendError(request, reply, { status: 503, code: 'storage_unavailable', message: 'the callback could not be stored; deliver it again' });
  }
}
