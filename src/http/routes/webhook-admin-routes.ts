import type { FastifyInstance } from 'fastify';
import { PROVIDER_IDS } from '../../domain/provider.ts';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { listInboxEvents, type InboxRecord } from '../../db/repositories/webhook-inbox-repository.ts';
import type { ServiceContext } from '../../services/service-context.ts';
import { replayInboxEvent } from '../../webhooks/replay-inbox-event.ts';
import { errorJson } from '../presenters.ts';
import { documented } from '../api-examples.ts';
import { listJson, listQuery, onePage, presentPage, toPageRequest } from '../list-page.ts';
import { PATH_ID_MAX_LENGTH } from '../path-id-length.ts';

const STATUSES = ['received', 'processing', 'processed', 'ignored', 'failed', 'dead'] as const;
const timestamp = z.iso.datetime();
const iso = (date: Date | null): string | null => (date ? date.toISOString() : null);

const webhookEventJson = z.object({
  id: z.number().int(),
  provider: z.string(),
  provider_event_id: z.string(),
  type: z.string(),
  status: z.enum(STATUSES),
  attempts: z.number().int(),
  last_error: z.string().nullable(),
  next_attempt_at: timestamp.nullable(),
  provider_created_at: timestamp.nullable(),
  received_at: timestamp,
  processed_at: timestamp.nullable(),
  payload: z.unknown().optional(),
});

const webhookEventExample: z.output<typeof webhookEventJson> = {
  id: 1187,
  provider: 'stripe',
  provider_event_id: 'evt_1QdY4r2eZvKYlo2CkP0wZ7tN',
  type: 'invoice.payment_failed',
  status: 'dead',
  attempts: 8,
  last_error: 'provider_unavailable: Stripe did not answer',
  next_attempt_at: null,
  provider_created_at: '2026-03-31T10:00:04.000Z',
  received_at: '2026-03-31T10:00:05.000Z',
  processed_at: null,
};

/** One inbox event as the API and the CLI show it (the payload only when it was read). */
export const presentWebhookEvent = (event: InboxRecord): z.infer<typeof webhookEventJson> => ({
  id: event.id,
  provider: event.provider,
  provider_event_id: event.providerEventId,
  type: event.type,
  status: event.status,
  attempts: event.attempts,
  last_error: event.lastError,
  next_attempt_at: iso(event.nextAttemptAt),
  provider_created_at: iso(event.providerCreatedAt),
  received_at: event.receivedAt.toISOString(),
  processed_at: iso(event.processedAt),
  ...('payload' in event ? { payload: event.payload } : {}),
});

const inboxCursor = z.coerce.number().int().positive();
const inboxListQuery = listQuery(inboxCursor, {
  status: z.enum(STATUSES).optional(),
  provider: z.enum(PROVIDER_IDS).optional(),
  include_payload: z.enum(['true', 'false']).default('false'),
});

const idParam = z.object({ id: z.string().min(1).max(PATH_ID_MAX_LENGTH).regex(/^[\w.:-]+$/, "expected recur's inbox id or the provider's event id") });

/** The webhook inbox for admins: what arrived, what failed, and a way to try again. */
export function webhookAdminRoutes(app: FastifyInstance, ctx: ServiceContext): void {
  const api = app.withTypeProvider<ZodTypeProvider>();

  api.get(
    '/webhook-events',
    {
      schema: {
        tags: ['webhooks'],
        summary: 'List inbox events, newest first, without payloads unless include_payload=true',
        querystring: inboxListQuery,
        response: { 200: documented(listJson(webhookEventJson, z.number().int()), 'Inbox events, newest first (created: the time of receipt)', onePage(webhookEventExample)), 400: errorJson, 401: errorJson },
      },
    },
    async (request) => {
      const { status, provider, include_payload } = request.query;
      const page = await listInboxEvents(ctx.db, { ...toPageRequest(request.query), status, provider, withPayload: include_payload === 'true' });
      return presentPage(page, presentWebhookEvent);
    },
  );

  api.post(
    '/webhook-events/:id/replay',
    {
      schema: {
        tags: ['webhooks'],
        summary: 'Process a dead, failed or ignored event again (attempts reset; audit-logged)',
        params: idParam,
        response: { 200: documented(webhookEventJson, 'The event, back in the queue with its attempts reset', { ...webhookEventExample, status: 'received', attempts: 0, last_error: null, next_attempt_at: '2026-04-01T08:00:00.000Z' }), 400: errorJson, 401: errorJson, 404: errorJson, 409: errorJson },
      },
    },
    async (request) => presentWebhookEvent(await replayInboxEvent(ctx, request.params.id, request.actor)),
  );
}
