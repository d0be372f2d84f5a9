import type { FastifyInstance, FastifyReply } from 'fastify';
import type { InboxStatus } from '../../../db/repositories/webhook-inbox-repository.ts';
import { isProviderId, PROVIDER_IDS } from '../../../domain/provider.ts';
import { INBOX_STATUSES, listInboxForAdmin, readInboxEventForAdmin } from '../../../services/admin/read-webhook-inbox.ts';
import type { ServiceContext } from '../../../services/service-context.ts';
import { RecurError } from '../../../shared/errors.ts';
import { replayInboxEvent } from '../../../webhooks/replay-inbox-event.ts';
import type { PageRenderer } from '../page-renderer.ts';
import { adminNav } from './admin-nav.ts';
import { sendAdminMessage, sendAdminPage } from './admin-page.ts';
import { formField } from './form-field.ts';

const INBOX_ID = /^\d{1,15}$/;

const isInboxStatus = (value: string): value is InboxStatus => (INBOX_STATUSES as readonly string[]).includes(value);

/**
 * The webhook inbox: every provider event recur stored, filtered by status and provider, newest
 * first; one event with its payload masked; and a replay of a dead, failed or ignored one through
 * replayInboxEvent, as `POST /v1/webhook-events/{id}/replay` and `recur events replay` do.
 */
export function webhookInboxRoutes(admin: FastifyInstance, ctx: ServiceContext, renderer: PageRenderer): void {
  const noSuchEvent = (reply: FastifyReply, id: string) =>
    sendAdminMessage(reply, renderer, 404, { heading: 'No such event', paragraphs: [`The inbox holds no event with the id "${id}".`], action: { href: '/admin/webhooks', label: 'Webhook inbox' } });

  admin.get('/webhooks', { schema: { hide: true } }, async (request, reply) => {
    const status = formField(request.query, 'status') || undefined;
    const provider = formField(request.query, 'provider') || undefined;
    const before = formField(request.query, 'before') || undefined;
    if ((status && !isInboxStatus(status)) || (provider && !isProviderId(provider)) || (before && !INBOX_ID.test(before))) {
      return sendAdminMessage(reply, renderer, 400, {
        heading: 'This filter cannot be used',
        paragraphs: [`Choose a status (${INBOX_STATUSES.join(', ')}) and a provider (${PROVIDER_IDS.join(', ')}) from the form.`],
        action: { href: '/admin/webhooks', label: 'Webhook inbox' },
      });
    }
    const filter = { status: status as InboxStatus | undefined, provider: provider && isProviderId(provider) ? provider : undefined, before: before ? Number(before) : undefined };
    let page;
    try {
      page = await listInboxForAdmin(ctx, filter);
    } catch (error) {
      // A `before` that names no event (a hand-edited link) is the one expected failure.
      if (error instanceof RecurError && error.code === 'validation_failed') return noSuchEvent(reply, before ?? '');
      throw error;
    }
    const query = (extra: Record<string, string>) => new URLSearchParams({ ...(status ? { status } : {}), ...(provider ? { provider } : {}), ...extra }).toString();
    const last = page.items.at(-1);
    return sendAdminPage(reply, renderer, 200, 'admin/webhooks', 'Webhook inbox', {
      nav: adminNav(request, 'webhooks'),
      statuses: INBOX_STATUSES,
      providers: PROVIDER_IDS,
      filter: { status: status ?? '', provider: provider ?? '' },
      events: page.items,
      olderHref: page.hasMore && last ? `/admin/webhooks?${query({ before: String(last.id) })}` : null,
      newestHref: before ? `/admin/webhooks?${query({})}` : null,
    });
  });

  admin.get('/webhooks/:id', { schema: { hide: true } }, async (request, reply) => {
    const { id } = request.params as { id: string };
    const found = INBOX_ID.test(id) ? await readInboxEventForAdmin(ctx, Number(id)) : null;
    if (!found) return noSuchEvent(reply, id);
    const replayed = formField(request.query, 'replayed') === '1';
    return sendAdminPage(reply, renderer, 200, 'admin/webhook-event', `Event ${found.event.id}`, { nav: adminNav(request, 'webhooks'), ...found, replayed });
  });

  admin.post('/webhooks/:id/replay', { schema: { hide: true } }, async (request, reply) => {
    const { id } = request.params as { id: string };
    if (!INBOX_ID.test(id)) return noSuchEvent(reply, id);
    try {
      await replayInboxEvent(ctx, id, request.adminSession!.actor);
    } catch (error) {
      if (!(error instanceof RecurError)) throw error;
      if (error.code === 'not_found') return noSuchEvent(reply, id);
      if (error.code !== 'conflict') throw error;
      return sendAdminMessage(reply, renderer, 409, {
        heading: 'This event cannot be replayed',
        paragraphs: [`${error.message}. Nothing was changed.`],
        action: { href: `/admin/webhooks/${id}`, label: 'Back to the event' },
      });
    }
    return reply.redirect(`/admin/webhooks/${id}?replayed=1`, 303);
  });
}
