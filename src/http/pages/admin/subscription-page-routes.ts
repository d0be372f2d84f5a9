import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { PROVIDER_IDS } from '../../../domain/provider.ts';
import { SUBSCRIPTION_STATUSES } from '../../../domain/subscription-status.ts';
import { listAdminSubscriptions } from '../../../services/admin/list-admin-subscriptions.ts';
import { readSubscriptionDetail } from '../../../services/admin/read-subscription-detail.ts';
import { SEARCH_MAX_LENGTH } from '../../../services/admin/search-customers.ts';
import type { ServiceContext } from '../../../services/service-context.ts';
import type { PageRenderer } from '../page-renderer.ts';
import { adminNav } from './admin-nav.ts';
import { sendAdminPage } from './admin-page.ts';
import { ADMIN_PAGE_SIZE, listUrl, optionalField, readPageInput } from './admin-list-query.ts';
import { adminSubscriptionActions } from './admin-subscription-actions.ts';
import { formField } from './form-field.ts';

const listFilters = z.object({
  status: optionalField(z.enum(SUBSCRIPTION_STATUSES)),
  plan: optionalField(z.string().max(40)),
  provider: optionalField(z.enum(PROVIDER_IDS)),
  customer: optionalField(z.string().max(SEARCH_MAX_LENGTH)),
  after: optionalField(z.uuid()),
});

const subscriptionParams = z.object({ id: z.uuid() });

/** What a finished action says on the subscription's page (`?done=`). */
const DONE = new Map([
  ['cancel_scheduled', 'Set to cancel at the end of its period.'],
  ['canceled', 'Canceled now.'],
  ['resumed', 'Resumed: it renews again.'],
  ['plan_switched', 'Switched to the new plan.'],
]);

/** The subscriptions list with its filters (status, plan, provider, customer), and one subscription's page with its actions. */
export function subscriptionPageRoutes(admin: FastifyInstance, ctx: ServiceContext, renderer: PageRenderer): void {
  const plans = ctx.config.catalogue.plans;
  const planName = (planId: string) => plans.find((plan) => plan.id === planId)?.name ?? planId;

  admin.get('/subscriptions', { schema: { hide: true } }, async (request, reply) => {
    const query = readPageInput(listFilters, request.query);
    const filters = { status: query.status, plan: query.plan, provider: query.provider, customer: query.customer };
    const page = await listAdminSubscriptions(ctx, { limit: ADMIN_PAGE_SIZE, startingAfter: query.after, status: query.status, planId: query.plan, provider: query.provider, customerText: query.customer });
    const last = page.items.at(-1);
    return sendAdminPage(reply, renderer, 200, 'admin/subscriptions', 'Subscriptions', {
      nav: adminNav(request, 'subscriptions'),
      filters,
      statuses: SUBSCRIPTION_STATUSES,
      providers: PROVIDER_IDS,
      plans: plans.map((plan) => ({ id: plan.id, name: plan.name })),
      subscriptions: page.items,
      planName,
      firstPage: query.after ? listUrl('/admin/subscriptions', filters) : null,
      nextPage: page.hasMore && last ? listUrl('/admin/subscriptions', { ...filters, after: last.id }) : null,
      searchMaxLength: SEARCH_MAX_LENGTH,
    });
  });

  admin.get('/subscriptions/:id', { schema: { hide: true } }, async (request, reply) => {
    const { id } = readPageInput(subscriptionParams, request.params);
    const detail = await readSubscriptionDetail(ctx, id);
    return sendAdminPage(reply, renderer, 200, 'admin/subscription', `Subscription ${planName(detail.subscription.planId)}`, {
      nav: adminNav(request, 'subscriptions'),
      detail,
      planName,
      actions: adminSubscriptionActions(detail.subscription, plans),
      done: DONE.get(formField(request.query, 'done') ?? '') ?? null,
    });
  });
}
