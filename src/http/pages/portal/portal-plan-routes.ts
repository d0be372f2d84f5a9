import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { getPlanName } from '../../../domain/plan.ts';
import { previewSwitchFromPortal, switchFromPortal } from '../../../services/portal/portal-plan-switch.ts';
import { findPortalSubscription } from '../../../services/portal/portal-subscriptions.ts';
import type { PortalViewer } from '../../../services/portal/read-portal-session.ts';
import type { ServiceContext } from '../../../services/service-context.ts';
import { notFound } from '../../../shared/errors.ts';
import type { PageRenderer } from '../page-renderer.ts';
import { sendBillingPage } from './portal-billing-page.ts';
import { billingText } from './portal-billing-text.ts';
import type { PortalPageKit } from './portal-page-kit.ts';
import { viewPlanSwitch } from './portal-plan-switch-view.ts';
import { csrfTokenOf } from './portal-session-cookie.ts';

const planId = z.string().min(1).max(64);
const previewQuery = z.object({ subscription: z.uuid(), plan: planId.optional() });
const switchForm = z.object({ subscription: z.uuid(), plan: planId, proration_date: z.iso.datetime().optional(), csrf: z.string() });

/**
 * Change plan (monthly <-> yearly): a page with the preview from the same service as the API
 * (what is charged now, what the next renewal costs; for a provider that does not prorate, from
 * the next cycle), and one confirm button. The form carries the preview's proration date, so the
 * charge is the amount the page showed.
 */
export function portalPlanRoutes(app: FastifyInstance, ctx: ServiceContext, renderer: PageRenderer, kit: PortalPageKit): void {
  const api = app.withTypeProvider<ZodTypeProvider>();
  const session = (request: FastifyRequest): { viewer: PortalViewer; sessionId: string } => request.portal!;
  const plans = ctx.config.catalogue.plans;

  api.get('/portal/change-plan', { schema: { hide: true, querystring: previewQuery } }, async (request, reply) => {
    const { viewer, sessionId } = session(request);
    const current = await findPortalSubscription(ctx, viewer, request.query.subscription);
    const others = plans.filter((plan) => plan.id !== current.planId);
    const target = request.query.plan ?? others[0]?.id;
    // A plan that is not in the catalogue (or the current one) is a page that does not exist.
    if (!target || !others.some((plan) => plan.id === target)) throw notFound('plan', target ?? '');
    const { subscription, preview, prorates } = await previewSwitchFromPortal(ctx, viewer, current.id, target);
    const words = billingText(viewer.locale);
    const view = viewPlanSwitch(subscription, preview, prorates, { locale: viewer.locale, timeZone: viewer.customer.timeZone ?? ctx.config.DEFAULT_TIME_ZONE, plans });
    const choices = others.length > 1 ? others.map((plan) => ({ href: `/portal/change-plan?subscription=${current.id}&plan=${encodeURIComponent(plan.id)}`, label: getPlanName(plan, viewer.locale), current: plan.id === target })) : [];
    return sendBillingPage(kit, renderer, reply, viewer, { template: 'portal/change-plan', title: words.changePlanTitle, nav: null }, { view, choices, csrf: csrfTokenOf(sessionId) });
  });

  api.post('/portal/change-plan', { schema: { hide: true, body: switchForm } }, async (request, reply) => {
    const { subscription, plan, proration_date } = request.body;
    const switched = await switchFromPortal(ctx, session(request).viewer, { subscriptionId: subscription, planId: plan, prorationDate: proration_date ? new Date(proration_date) : null });
    return reply.redirect(`/portal?switched=${switched.id}&to=${encodeURIComponent(plan)}`, 303);
  });
}
