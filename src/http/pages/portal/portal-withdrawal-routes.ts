import type { FastifyInstance, FastifyReply } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { formatAmount, formatDate, formatDateTime } from '../../../notifications/format-notice-values.ts';
import { getPlanName } from '../../../domain/plan.ts';
import { lastDayOfWithdrawal } from '../../../domain/withdrawal.ts';
import { readPortalWithdrawal, readWithdrawalOffer, withdrawFromPortal } from '../../../services/portal/portal-withdrawal.ts';
import type { PortalViewer } from '../../../services/portal/read-portal-session.ts';
import type { SubscriptionRecord } from '../../../db/repositories/subscription-repository.ts';
import type { ServiceContext } from '../../../services/service-context.ts';
import type { PageRenderer } from '../page-renderer.ts';
import type { PortalPageKit } from './portal-page-kit.ts';
import { csrfTokenOf } from './portal-session-cookie.ts';
import { fill, portalText } from './portal-text.ts';

const subscriptionQuery = z.object({ subscription: z.uuid() });
const withdrawForm = z.object({ subscription: z.uuid(), csrf: z.string() });

/**
 * Withdrawal within 14 days of signing up (EU 2023/2673, Art. 11a): "withdraw from contract here"
 * on the overview, this confirmation page with its one "confirm withdrawal" button, then the page
 * that gives the date and time and says the acknowledgement was e-mailed. After the 14 days the
 * control is gone and both the page and the POST say so. Registered beside the portal's other
 * session pages, so the same session and CSRF checks run first.
 */
export function portalWithdrawalRoutes(app: FastifyInstance, ctx: ServiceContext, renderer: PageRenderer, kit: PortalPageKit): void {
  const api = app.withTypeProvider<ZodTypeProvider>();
  const viewerOf = (request: { portal?: { viewer: PortalViewer; sessionId: string } }) => request.portal!;
  const timeZoneOf = (viewer: PortalViewer) => viewer.customer.timeZone ?? ctx.config.DEFAULT_TIME_ZONE;
  const planNameOf = (viewer: PortalViewer, subscription: SubscriptionRecord) => {
    const plan = ctx.config.catalogue.plans.find((candidate) => candidate.id === subscription.planId);
    return plan ? getPlanName(plan, viewer.locale) : subscription.planId;
  };
  const page = (reply: FastifyReply, viewer: PortalViewer, status: number, template: string, title: string, data: Record<string, unknown>) =>
    kit.send(reply, status, renderer.render(template, { locale: viewer.locale, title, backUrl: viewer.returnUrl }, { ...data, text: portalText(viewer.locale) }));
  const closed = (reply: FastifyReply, viewer: PortalViewer, sentence: string) => {
    const words = portalText(viewer.locale);
    return page(reply, viewer, 409, 'message', words.withdrawClosedTitle, { heading: words.withdrawClosedTitle, paragraphs: [sentence], action: { href: '/portal', label: words.backToOverview } });
  };

  api.get('/portal/withdraw', { schema: { hide: true, querystring: subscriptionQuery } }, async (request, reply) => {
    const { viewer, sessionId } = viewerOf(request);
    const words = portalText(viewer.locale);
    const offer = await readWithdrawalOffer(ctx, viewer, request.query.subscription);
    if (!offer.open) return closed(reply, viewer, offer.subscription.status === 'canceled' ? words.withdrawEnded : fill(words.withdrawClosed, { date: formatDate(lastDayOfWithdrawal(offer.periodEnd), viewer.locale, timeZoneOf(viewer)) }));
    const plan = planNameOf(viewer, offer.subscription);
    return page(reply, viewer, 200, 'portal/withdraw', words.withdrawTitle, {
      subscriptionId: offer.subscription.id,
      effect: fill(words.withdrawEffect, { plan }),
      refund: offer.refundMinor > 0 ? fill(words.withdrawRefund, { amount: formatAmount(offer.refundMinor, offer.currency, viewer.locale) }) : words.withdrawNoRefund,
      csrf: csrfTokenOf(sessionId),
    });
  });

  api.post('/portal/withdraw', { schema: { hide: true, body: withdrawForm } }, async (request, reply) => {
    const { viewer } = viewerOf(request);
    const words = portalText(viewer.locale);
    const outcome = await withdrawFromPortal(ctx, viewer, request.body.subscription);
    switch (outcome.kind) {
      case 'withdrawn':
        return reply.redirect(`/portal/withdrawn?subscription=${outcome.withdrawal.subscriptionId}`, 303);
      case 'too_late':
        return closed(reply, viewer, fill(words.withdrawClosed, { date: formatDate(lastDayOfWithdrawal(outcome.periodEnd), viewer.locale, timeZoneOf(viewer)) }));
      case 'ended':
        return closed(reply, viewer, words.withdrawEnded);
    }
  });

  api.get('/portal/withdrawn', { schema: { hide: true, querystring: subscriptionQuery } }, async (request, reply) => {
    const { viewer } = viewerOf(request);
    const words = portalText(viewer.locale);
    const made = await readPortalWithdrawal(ctx, viewer, request.query.subscription);
    if (!made) return reply.redirect('/portal', 303);
    return page(reply, viewer, 200, 'portal/withdrawn', words.withdrawnTitle, {
      effect: fill(words.withdrawnEffect, { datetime: formatDateTime(made.withdrawal.withdrawnAt, viewer.locale, timeZoneOf(viewer)), plan: planNameOf(viewer, made.subscription) }),
      refund: made.refundedMinor > 0 ? fill(words.withdrawnRefund, { amount: formatAmount(made.refundedMinor, made.currency, viewer.locale) }) : null,
      // recur start always sends notices; a recur without them promises no e-mail.
      confirmation: ctx.messaging ? fill(words.withdrawnSent, { email: viewer.customer.email }) : null,
    });
  });
}
