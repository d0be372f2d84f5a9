import type { FastifyInstance } from 'fastify';
import { readCustomerDetail } from '../../../services/admin/read-customer-detail.ts';
import { searchCustomers, SEARCH_MAX_LENGTH } from '../../../services/admin/search-customers.ts';
import type { ServiceContext } from '../../../services/service-context.ts';
import type { PageRenderer } from '../page-renderer.ts';
import { adminNav } from './admin-nav.ts';
import { sendAdminMessage, sendAdminPage } from './admin-page.ts';
import { formField } from './form-field.ts';
import { BAN_REASON_MAX_LENGTH } from './customer-ban-routes.ts';

const DONE = new Map([['banned', 'The customer is banned.'], ['unbanned', 'The ban is lifted.']]);

/** The customer search (`?q=` an e-mail address, shop id or name, in part) and one customer's page. */
export function customerPageRoutes(admin: FastifyInstance, ctx: ServiceContext, renderer: PageRenderer): void {
  admin.get('/customers', { schema: { hide: true } }, async (request, reply) => {
    const search = await searchCustomers(ctx, formField(request.query, 'q') ?? '');
    return sendAdminPage(reply, renderer, 200, 'admin/customers', search.query ? `Customers matching "${search.query}"` : 'Customers', {
      nav: adminNav(request, 'customers'),
      search,
      maxLength: SEARCH_MAX_LENGTH,
    });
  });

  admin.get('/customers/:externalId', { schema: { hide: true } }, async (request, reply) => {
    const { externalId } = request.params as { externalId: string };
    const detail = await readCustomerDetail(ctx, externalId);
    if (!detail) {
      return sendAdminMessage(reply, renderer, 404, {
        heading: 'No such customer',
        paragraphs: [`recur holds no customer with the id "${externalId}".`],
        action: { href: '/admin/customers', label: 'Search customers' },
      });
    }
    const plans = new Map(ctx.config.catalogue.plans.map((plan) => [plan.id, plan.name]));
    return sendAdminPage(reply, renderer, 200, 'admin/customer', detail.customer.name ?? detail.customer.email, {
      nav: adminNav(request, 'customers'),
      detail,
      planName: (planId: string) => plans.get(planId) ?? planId,
      done: DONE.get(formField(request.query, 'done') ?? '') ?? null,
      banReasonMaxLength: BAN_REASON_MAX_LENGTH,
    });
  });
}
