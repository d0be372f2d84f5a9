import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { providerName } from '../../../domain/provider.ts';
import { readSubscriptionDetail, type SubscriptionDetail } from '../../../services/admin/read-subscription-detail.ts';
import { requirePaymentProvider } from '../../../services/require-payment-provider.ts';
import type { ServiceContext } from '../../../services/service-context.ts';
import { cancelSubscription } from '../../../services/subscription-changes/cancel-subscription.ts';
import { previewPlanSwitch } from '../../../services/subscription-changes/preview-plan-switch.ts';
import { resumeSubscription } from '../../../services/subscription-changes/resume-subscription.ts';
import { switchPlan } from '../../../services/subscription-changes/switch-plan.ts';
import { endOfPaidTime } from '../portal/portal-subscription-view.ts';
import type { PageRenderer } from '../page-renderer.ts';
import { formatTime } from './admin-format.ts';
import { readPageInput } from './admin-list-query.ts';
import { adminNav } from './admin-nav.ts';
import { sendAdminPage } from './admin-page.ts';

const params = z.object({ id: z.uuid() });
// The confirmation page's query and its form's field alike.
const cancelAt = z.object({ at: z.enum(['period_end', 'now']) });
const switchQuery = z.object({ plan: z.string().min(1).max(40) });
const switchForm = z.object({ plan: z.string().min(1).max(40), proration_date: z.iso.datetime().optional() });

const actorOf = (request: FastifyRequest): string => request.adminSession!.actor;
const doneUrl = (id: string, action: string) => `/admin/subscriptions/${id}?done=${action}`;

/**
 * Cancel (at period end or now), resume and switch from the dashboard: each a confirmation page
 * (a GET that changes nothing; the switch's shows the provider's preview, as the API does) and a
 * POST with the session's CSRF token, through the API's own services, audited as `admin:{user}`.
 */
export function subscriptionActionRoutes(admin: FastifyInstance, ctx: ServiceContext, renderer: PageRenderer): void {
  const planName = (planId: string) => ctx.config.catalogue.plans.find((plan) => plan.id === planId)?.name ?? planId;
  type Confirmation = { heading: string; paragraphs: string[]; action: string; fields: Record<string, string>; button: string };
  const confirm = (request: FastifyRequest, detail: SubscriptionDetail, page: Confirmation) => ({ nav: adminNav(request, 'subscriptions'), detail, planName, ...page });

  admin.get('/subscriptions/:id/cancel', { schema: { hide: true } }, async (request, reply) => {
    const { id } = readPageInput(params, request.params);
    const { at } = readPageInput(cancelAt, request.query);
    const detail = await readSubscriptionDetail(ctx, id);
    const ends = endOfPaidTime(detail.subscription);
    const effect =
      at === 'now'
        ? 'It ends now: the customer loses access at once, and nothing is refunded by this.'
        : `It keeps running until the end of its paid period (${formatTime(ends)}) and does not renew.`;
    const data = confirm(request, detail, {
      heading: at === 'now' ? 'Cancel this subscription now?' : 'Cancel this subscription at the end of its period?',
      paragraphs: [effect],
      action: `/admin/subscriptions/${id}/cancel`,
      fields: { at },
      button: at === 'now' ? 'Cancel now' : 'Cancel at period end',
    });
    return sendAdminPage(reply, renderer, 200, 'admin/subscription-confirm', data.heading, data);
  });

  admin.post('/subscriptions/:id/cancel', { schema: { hide: true } }, async (request, reply) => {
    const { id } = readPageInput(params, request.params);
    const { at } = readPageInput(cancelAt, request.body);
    const canceled = await cancelSubscription(ctx, { subscriptionId: id, at }, actorOf(request));
    return reply.redirect(doneUrl(canceled.id, at === 'now' ? 'canceled' : 'cancel_scheduled'), 303);
  });

  admin.get('/subscriptions/:id/resume', { schema: { hide: true } }, async (request, reply) => {
    const { id } = readPageInput(params, request.params);
    const detail = await readSubscriptionDetail(ctx, id);
    const effect =
      detail.subscription.status === 'paused'
        ? 'It resumes now: a new period starts, charged at its plan\'s price.'
        : 'The cancel is undone: it renews again at the end of its period, at its plan\'s price.';
    const data = confirm(request, detail, {
      heading: 'Resume this subscription?',
      paragraphs: [effect],
      action: `/admin/subscriptions/${id}/resume`,
      fields: {},
      button: 'Resume',
    });
    return sendAdminPage(reply, renderer, 200, 'admin/subscription-confirm', data.heading, data);
  });

  admin.post('/subscriptions/:id/resume', { schema: { hide: true } }, async (request, reply) => {
    const { id } = readPageInput(params, request.params);
    const resumed = await resumeSubscription(ctx, id, actorOf(request));
    return reply.redirect(doneUrl(resumed.id, 'resumed'), 303);
  });

  admin.get('/subscriptions/:id/switch', { schema: { hide: true } }, async (request, reply) => {
    const { id } = readPageInput(params, request.params);
    const { plan } = readPageInput(switchQuery, request.query);
    const preview = await previewPlanSwitch(ctx, id, plan);
    const detail = await readSubscriptionDetail(ctx, id);
    // A provider that prorates charges exactly the preview when its proration date comes along; one that does not switches at the next billing.
    const prorates = requirePaymentProvider(ctx, detail.subscription.provider).capabilities.prorateOnPlanSwitch;
    return sendAdminPage(reply, renderer, 200, 'admin/subscription-switch', `Switch to ${planName(preview.toPlan)}?`, {
      nav: adminNav(request, 'subscriptions'),
      detail,
      planName,
      preview,
      prorationDate: prorates ? preview.prorationDate.toISOString() : null,
      providerName: providerName(detail.subscription.provider),
    });
  });

  admin.post('/subscriptions/:id/switch', { schema: { hide: true } }, async (request, reply) => {
    const { id } = readPageInput(params, request.params);
    const form = readPageInput(switchForm, request.body);
    const switched = await switchPlan(ctx, { subscriptionId: id, planId: form.plan, prorationDate: form.proration_date ? new Date(form.proration_date) : null }, actorOf(request));
    return reply.redirect(doneUrl(switched.subscription.id, 'plan_switched'), 303);
  });
}
