import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { listAuditLog } from '../../../services/admin/list-audit-log.ts';
import type { ServiceContext } from '../../../services/service-context.ts';
import type { PageRenderer } from '../page-renderer.ts';
import { ADMIN_PAGE_SIZE, listUrl, optionalField, readPageInput } from './admin-list-query.ts';
import { adminNav } from './admin-nav.ts';
import { sendAdminPage } from './admin-page.ts';

const word = (what: string) => z.string().regex(/^[a-z][a-z_]{0,39}$/, `expected ${what} such as cancel_scheduled`);

const listFilters = z.object({
  actor: optionalField(z.string().max(200)),
  customer: optionalField(z.string().max(200)),
  action: optionalField(word('an action')),
  entity: optionalField(word('an entity')),
  after: optionalField(z.coerce.number().int().positive()),
});

/** The audit log, newest first: filtered by actor (its start), customer, action and entity, a page at a time. */
export function auditLogRoutes(admin: FastifyInstance, ctx: ServiceContext, renderer: PageRenderer): void {
  admin.get('/audit', { schema: { hide: true } }, async (request, reply) => {
    const query = readPageInput(listFilters, request.query);
    const filters = { actor: query.actor, customer: query.customer, action: query.action, entity: query.entity };
    const page = await listAuditLog(ctx, { limit: ADMIN_PAGE_SIZE, startingAfter: query.after, actorPrefix: query.actor, customerExternalId: query.customer, action: query.action, entity: query.entity });
    const last = page.items.at(-1);
    return sendAdminPage(reply, renderer, 200, 'admin/audit-log', 'Audit log', {
      nav: adminNav(request, 'audit'),
      filters,
      entries: page.items,
      firstPage: query.after ? listUrl('/admin/audit', filters) : null,
      nextPage: page.hasMore && last ? listUrl('/admin/audit', { ...filters, after: last.id }) : null,
    });
  });
}
