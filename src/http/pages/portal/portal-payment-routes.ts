import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { shopNameOf } from '../../../config/shop-name.ts';
import { findPortalPayment, listPortalPayments } from '../../../services/portal/portal-payments.ts';
import type { PortalViewer } from '../../../services/portal/read-portal-session.ts';
import type { ServiceContext } from '../../../services/service-context.ts';
import type { PageRenderer } from '../page-renderer.ts';
import { sendBillingPage } from './portal-billing-page.ts';
import { billingText } from './portal-billing-text.ts';
import type { PortalPageKit } from './portal-page-kit.ts';
import { viewPaymentRow, viewReceipt, type PaymentSettings } from './portal-payment-view.ts';

const historyQuery = z.object({ after: z.uuid().optional() });
const receiptParams = z.object({ id: z.uuid() });

/**
 * The customer's payment history, newest first and paged, and each payment's receipt. Runs in
 * the session scope of portal-subscription-routes.ts; every payment id (the receipt's, the page
 * cursor) is read through portal-payments.ts, so another customer's reads as not found.
 */
export function portalPaymentRoutes(app: FastifyInstance, ctx: ServiceContext, renderer: PageRenderer, kit: PortalPageKit): void {
  const api = app.withTypeProvider<ZodTypeProvider>();
  const viewerOf = (request: FastifyRequest): PortalViewer => request.portal!.viewer;
  const settingsOf = (viewer: PortalViewer): PaymentSettings => ({ locale: viewer.locale, timeZone: viewer.customer.timeZone ?? ctx.config.DEFAULT_TIME_ZONE, plans: ctx.config.catalogue.plans });

  api.get('/portal/payments', { schema: { hide: true, querystring: historyQuery } }, async (request, reply) => {
    const viewer = viewerOf(request);
    const page = await listPortalPayments(ctx, viewer, request.query.after);
    const payments = page.items.map((payment) => viewPaymentRow(payment, settingsOf(viewer)));
    const older = page.hasMore && payments.length > 0 ? `/portal/payments?after=${payments[payments.length - 1]!.id}` : null;
    return sendBillingPage(kit, renderer, reply, viewer, { template: 'portal/payments', title: billingText(viewer.locale).paymentsTitle, nav: 'payments' }, { payments, older, paged: request.query.after !== undefined });
  });

  api.get('/portal/payments/:id', { schema: { hide: true, params: receiptParams } }, async (request, reply) => {
    const viewer = viewerOf(request);
    const { payment, subscription, refunds } = await findPortalPayment(ctx, viewer, request.params.id);
    const receipt = viewReceipt(payment, subscription, refunds, shopNameOf(ctx.config), settingsOf(viewer));
    return sendBillingPage(kit, renderer, reply, viewer, { template: 'portal/receipt', title: billingText(viewer.locale).receiptTitle, nav: 'payments' }, { receipt });
  });
}
