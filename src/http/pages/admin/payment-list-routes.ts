import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { PAYMENT_STATUSES } from '../../../db/repositories/payment-repository.ts';
import { listPayments } from '../../../services/payments/list-payments.ts';
import { refundableAmount } from '../../../services/refunds/refundable-amount.ts';
import type { ServiceContext } from '../../../services/service-context.ts';
import type { PageRenderer } from '../page-renderer.ts';
import { ADMIN_PAGE_SIZE, listUrl, optionalField, readPageInput } from './admin-list-query.ts';
import { adminNav } from './admin-nav.ts';
import { sendAdminPage } from './admin-page.ts';

const listFilters = z.object({
  status: optionalField(z.enum(PAYMENT_STATUSES)),
  customer: optionalField(z.string().max(200)),
  after: optionalField(z.uuid()),
});

/**
 * Every payment, newest first, filtered by status and customer, through the API's list
 * (`GET /v1/payments`); one with money left to refund links to the refund's confirmation page.
 */
export function paymentListRoutes(admin: FastifyInstance, ctx: ServiceContext, renderer: PageRenderer): void {
  admin.get('/payments', { schema: { hide: true } }, async (request, reply) => {
    const query = readPageInput(listFilters, request.query);
    const filters = { status: query.status, customer: query.customer };
    const page = await listPayments(ctx, { limit: ADMIN_PAGE_SIZE, startingAfter: query.after, status: query.status, customerExternalId: query.customer });
    const last = page.items.at(-1);
    return sendAdminPage(reply, renderer, 200, 'admin/payments', 'Payments', {
      nav: adminNav(request, 'payments'),
      filters,
      statuses: PAYMENT_STATUSES,
      payments: page.items.map((payment) => ({ ...payment, refundable: refundableAmount(payment, 0) > 0 })),
      firstPage: query.after ? listUrl('/admin/payments', filters) : null,
      nextPage: page.hasMore && last ? listUrl('/admin/payments', { ...filters, after: last.id }) : null,
    });
  });
}
