import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { getPlanName } from '../../../domain/plan.ts';
import { providerName } from '../../../domain/provider.ts';
import { findPaymentMethodRoute, openPaymentMethodFromPortal } from '../../../services/portal/portal-payment-method.ts';
import type { ServiceContext } from '../../../services/service-context.ts';
import type { PageRenderer } from '../page-renderer.ts';
import { sendBillingPage } from './portal-billing-page.ts';
import { billingText } from './portal-billing-text.ts';
import type { PortalPageKit } from './portal-page-kit.ts';
import { csrfTokenOf } from './portal-session-cookie.ts';
import { fill } from './portal-text.ts';

const subscriptionQuery = z.object({ subscription: z.uuid() });
const openForm = z.object({ subscription: z.uuid(), csrf: z.string() });

/**
 * Update payment method, as the subscription's provider allows: a button that opens the
 * provider's billing portal (a POST: every press opens a new short-lived session) and comes back
 * to the portal, or a link to the provider's own page in the payer's account (PayPal).
 */
export function portalPaymentMethodRoutes(app: FastifyInstance, ctx: ServiceContext, renderer: PageRenderer, kit: PortalPageKit): void {
  const api = app.withTypeProvider<ZodTypeProvider>();
  // Browsers hold the redirect after a form's POST to form-action too: the billing portal's origin
  // (any https origin, or the sandbox's API base) must be allowed on the page with the button.
  const allowPortalRedirect = async (_request: FastifyRequest, reply: FastifyReply, payload: unknown) => {
    const policy = reply.getHeader('content-security-policy');
    const apiBase = ctx.config.STRIPE_API_BASE;
    const targets = ["'self'", 'https:', ...(apiBase ? [new URL(apiBase).origin] : [])].join(' ');
    if (typeof policy === 'string') reply.header('content-security-policy', policy.replace("form-action 'self'", `form-action ${targets}`));
    return payload;
  };

  api.get('/portal/payment-method', { schema: { hide: true, querystring: subscriptionQuery }, onSend: allowPortalRedirect }, async (request, reply) => {
    const { viewer, sessionId } = request.portal!;
    const { subscription, route } = await findPaymentMethodRoute(ctx, viewer, request.query.subscription);
    const words = billingText(viewer.locale);
    const plan = ctx.config.catalogue.plans.find((candidate) => candidate.id === subscription.planId);
    const values = { provider: providerName(subscription.provider), plan: plan ? getPlanName(plan, viewer.locale) : subscription.planId };
    const body =
      route.kind === 'billing_portal'
        ? { paragraph: fill(words.paymentMethodPortal, values), button: fill(words.paymentMethodGo, values), link: null }
        : route.kind === 'provider_page'
          ? { paragraph: fill(words.paymentMethodAtProvider, values), button: null, link: { href: route.url, label: fill(words.paymentMethodOpen, values) } }
          : { paragraph: words.paymentMethodNone, button: null, link: null };
    return sendBillingPage(kit, renderer, reply, viewer, { template: 'portal/payment-method', title: words.paymentMethodTitle, nav: null }, { ...body, subscriptionId: subscription.id, csrf: csrfTokenOf(sessionId) });
  });

  api.post('/portal/payment-method', { schema: { hide: true, body: openForm } }, async (request, reply) => {
    const opened = await openPaymentMethodFromPortal(ctx, request.portal!.viewer, request.body.subscription);
    // The session's URL is a credential: sent to the browser, never logged.
    return reply.status(303).header('location', opened.url).send(null);
  });
}
