import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { NOTIFICATION_STATUSES } from '../../../db/repositories/notification-query-repository.ts';
import { listNotifications } from '../../../services/notifications/list-notifications.ts';
import { retryNotification } from '../../../services/notifications/retry-notification.ts';
import type { ServiceContext } from '../../../services/service-context.ts';
import { maskContacts } from '../../routes/notification-routes.ts';
import type { PageRenderer } from '../page-renderer.ts';
import { ADMIN_PAGE_SIZE, listUrl, optionalField, readPageInput } from './admin-list-query.ts';
import { adminNav } from './admin-nav.ts';
import { sendAdminPage } from './admin-page.ts';

const listFilters = z.object({
  status: optionalField(z.enum(NOTIFICATION_STATUSES)),
  channel: optionalField(z.enum(['email', 'sms'])),
  template: optionalField(z.string().regex(/^[a-z0-9][a-z0-9-]{0,79}$/, 'expected a template name such as trial-reminder')),
  customer: optionalField(z.string().max(200)),
  after: optionalField(z.uuid()),
  retried: optionalField(z.uuid()),
});

const params = z.object({ id: z.uuid() });

/** Statuses the sender gave up on; retryNotification takes only these. */
const RETRYABLE = new Set(['dead', 'failed']);

/**
 * The notices (e-mail and SMS) with their delivery report, filtered by status, channel, template and
 * customer; a dead or failed one can be sent again through the API's retry (audited as the admin).
 * Addresses are masked as in the API's list: the full one is on the customer's page.
 */
export function notificationPageRoutes(admin: FastifyInstance, ctx: ServiceContext, renderer: PageRenderer): void {
  admin.get('/notifications', { schema: { hide: true } }, async (request, reply) => {
    const query = readPageInput(listFilters, request.query);
    const filters = { status: query.status, channel: query.channel, template: query.template, customer: query.customer };
    const page = await listNotifications(ctx, { limit: ADMIN_PAGE_SIZE, startingAfter: query.after, status: query.status, channel: query.channel, template: query.template, customerExternalId: query.customer });
    const last = page.items.at(-1);
    return sendAdminPage(reply, renderer, 200, 'admin/notifications', 'Notifications', {
      nav: adminNav(request, 'notifications'),
      filters,
      statuses: NOTIFICATION_STATUSES,
      notices: page.items,
      mask: (text: string | null) => (text === null ? null : maskContacts(text)),
      canRetry: (status: string) => RETRYABLE.has(status),
      retried: query.retried ?? null,
      back: listUrl('/admin/notifications', { ...filters, after: query.after }),
      firstPage: query.after ? listUrl('/admin/notifications', filters) : null,
      nextPage: page.hasMore && last ? listUrl('/admin/notifications', { ...filters, after: last.id }) : null,
    });
  });

  admin.post('/notifications/:id/retry', { schema: { hide: true } }, async (request, reply) => {
    const { id } = readPageInput(params, request.params);
    const retried = await retryNotification(ctx, id, request.adminSession!.actor);
    // Back to the list the button was on: only a path of this dashboard's notices page is followed.
    const back = z.string().startsWith('/admin/notifications?').safeParse((request.body as Record<string, unknown> | undefined)?.back);
    const target = back.success ? back.data : '/admin/notifications';
    return reply.redirect(`${target}${target.includes('?') ? '&' : '?'}retried=${retried.id}`, 303);
  });
}
