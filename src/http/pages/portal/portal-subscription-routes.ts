import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { cancelFromPortal, findPortalSubscription, listPortalSubscriptions, resumeFromPortal } from '../../../services/portal/portal-subscriptions.ts';
import { readPortalSession, type PortalViewer } from '../../../services/portal/read-portal-session.ts';
import type { ServiceContext } from '../../../services/service-context.ts';
import { getPlanName } from '../../../domain/plan.ts';
import type { PageRenderer } from '../page-renderer.ts';
import type { PortalPageKit } from './portal-page-kit.ts';
import { csrfTokenOf, isCsrfTokenOf, PORTAL_COOKIE } from './portal-session-cookie.ts';
import { viewSubscription, type SubscriptionView } from './portal-subscription-view.ts';
import { fill, portalText } from './portal-text.ts';
import { portalNav } from './portal-billing-page.ts';
import { billingText } from './portal-billing-text.ts';
import { checkoutNotice, readPlanPicker } from './portal-signup-routes.ts';

const subscriptionQuery = z.object({ subscription: z.uuid() });
const actionForm = z.object({ subscription: z.uuid(), csrf: z.string() });
const overviewQuery = z.object({
  resumed: z.uuid().optional(),
  switched: z.uuid().optional(),
  to: z.string().max(64).optional(),
  checkout: z.enum(['success', 'pending', 'canceled', 'declined']).optional(),
});

/**
 * The pages of one portal session: the overview, cancel in two clicks (the control on the
 * overview, then the confirmation page's one button), the page that confirms it, and resume.
 * Every id in a URL or form is checked against the session's customer (portal-subscriptions.ts);
 * every POST carries the session's CSRF token. No session, or an ended one: the ended page.
 */
export function portalSubscriptionRoutes(app: FastifyInstance, ctx: ServiceContext, renderer: PageRenderer, kit: PortalPageKit): void {
  app.addHook('preValidation', async (request, reply) => {
    const sessionId = request.cookies[PORTAL_COOKIE];
    const viewer = await readPortalSession(ctx, sessionId);
    if (!viewer || !sessionId) return reply.redirect('/portal/ended', 303);
    request.portal = { viewer, sessionId };
    if (request.method === 'POST' && !isCsrfTokenOf(sessionId, (request.body as Record<string, unknown> | undefined)?.csrf)) {
      return kit.sendMessage(request, reply, 403, (w) => ({ heading: w.forbiddenTitle, paragraphs: [w.forbidden] }), { action: { href: '/portal', label: portalText(viewer.locale).backToOverview } });
    }
  });
  const api = app.withTypeProvider<ZodTypeProvider>();
  const session = (request: FastifyRequest) => request.portal!;
  const view = (viewer: PortalViewer, subscription: Parameters<typeof viewSubscription>[0]): SubscriptionView =>
    viewSubscription(subscription, { locale: viewer.locale, timeZone: viewer.customer.timeZone ?? ctx.config.DEFAULT_TIME_ZONE, plans: ctx.config.catalogue.plans, now: ctx.clock.now() });
  const page = (reply: FastifyReply, viewer: PortalViewer, template: string, title: string, data: Record<string, unknown>) =>
    kit.send(reply, 200, renderer.render(template, { locale: viewer.locale, title, backUrl: viewer.returnUrl }, { ...data, text: portalText(viewer.locale) }));

  api.get('/portal', { schema: { hide: true, querystring: overviewQuery } }, async (request, reply) => {
    const { viewer, sessionId } = session(request);
    const subscriptions = (await listPortalSubscriptions(ctx, viewer)).map((subscription) => view(viewer, subscription));
    const resumed = subscriptions.find((subscription) => subscription.id === request.query.resumed && !subscription.canResume);
    const words = portalText(viewer.locale);
    const switched = subscriptions.find((subscription) => subscription.id === request.query.switched);
    const picker = await readPlanPicker(ctx, viewer, csrfTokenOf(sessionId));
    const notice = resumed
      ? fill(words.resumedBanner, { plan: resumed.planName })
      : switched
        ? switchedNotice(ctx, viewer.locale, switched, request.query.to)
        : checkoutNotice(viewer.locale, request.query.checkout, picker !== null);
    return page(reply, viewer, 'portal/overview', words.overviewTitle, { subscriptions, csrf: csrfTokenOf(sessionId), notice, nav: portalNav(viewer.locale, 'overview'), billing: billingText(viewer.locale), picker });
  });

  api.get('/portal/cancel', { schema: { hide: true, querystring: subscriptionQuery } }, async (request, reply) => {
    const { viewer, sessionId } = session(request);
    const subscription = view(viewer, await findPortalSubscription(ctx, viewer, request.query.subscription));
    if (!subscription.canCancel) return reply.redirect('/portal', 303);
    const words = portalText(viewer.locale);
    const effect = fill(words.cancelEffect, { plan: subscription.planName, date: subscription.endDate ?? '' });
    return page(reply, viewer, 'portal/cancel', words.cancelTitle, { subscriptionId: subscription.id, effect, csrf: csrfTokenOf(sessionId) });
  });

  api.post('/portal/cancel', { schema: { hide: true, body: actionForm } }, async (request, reply) => {
    const canceled = await cancelFromPortal(ctx, session(request).viewer, request.body.subscription);
    return reply.redirect(`/portal/canceled?subscription=${canceled.id}`, 303);
  });

  api.get('/portal/canceled', { schema: { hide: true, querystring: subscriptionQuery } }, async (request, reply) => {
    const { viewer } = session(request);
    const subscription = view(viewer, await findPortalSubscription(ctx, viewer, request.query.subscription));
    if (!subscription.canResume) return reply.redirect('/portal', 303);
    const words = portalText(viewer.locale);
    return page(reply, viewer, 'portal/canceled', words.canceledTitle, {
      effect: fill(words.canceledEffect, { plan: subscription.planName, date: subscription.endDate ?? '' }),
      // recur start always sends notices; a recur without them promises no e-mail.
      confirmation: ctx.messaging ? fill(words.confirmationSent, { email: viewer.customer.email }) : null,
    });
  });

  api.post('/portal/resume', { schema: { hide: true, body: actionForm } }, async (request, reply) => {
    const resumed = await resumeFromPortal(ctx, session(request).viewer, request.body.subscription);
    return reply.redirect(`/portal?resumed=${resumed.id}`, 303);
  });
}

/** After a plan switch: switched, or (a provider that switches at the next billing) switching then. */
function switchedNotice(ctx: ServiceContext, locale: PortalViewer['locale'], switched: SubscriptionView, to: string | undefined): string | null {
  const plan = ctx.config.catalogue.plans.find((candidate) => candidate.id === to);
  if (!plan) return null;
  const words = billingText(locale);
  const name = getPlanName(plan, locale);
  return fill(switched.planName === name ? words.switchedBanner : words.switchScheduledBanner, { plan: name });
}
