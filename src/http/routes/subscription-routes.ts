import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { SUBSCRIPTION_STATUSES } from '../../domain/subscription-status.ts';
import { getSubscription } from '../../services/subscriptions/get-subscription.ts';
import { listSubscriptions } from '../../services/subscriptions/list-subscriptions.ts';
import type { ServiceContext } from '../../services/service-context.ts';
import { customerJson, errorJson, presentCustomer, presentSubscription, subscriptionJson } from '../presenters.ts';
import type { SubscriptionRecord } from '../../db/repositories/subscription-repository.ts';
import { customersByExternalId } from '../../services/expansions/related-objects.ts';
import { expandParam, expansionsOf } from '../expand-param.ts';
import { documented, subscriptionExample } from '../api-examples.ts';
import { READ_SCOPE } from '../route-scope.ts';
import { listJson, listQuery, onePage, presentPage, toPageRequest } from '../list-page.ts';
import { externalIdParam } from './customer-routes.ts';

const expandable = expandParam(['customer']);
const subscriptionListQuery = listQuery(z.uuid(), {
  customer: externalIdParam.shape.id.optional().describe("only this customer's (the shop's id)"),
  status: z.enum(SUBSCRIPTION_STATUSES).optional(),
  expand: expandable,
});
const expandedSubscriptionJson = subscriptionJson.extend({
  customer: z.union([z.string(), customerJson]).describe("the shop's external customer id; with expand=customer, the customer"),
});

/** The subscriptions as the API shows them, each with its customer whole when asked. */
async function presentExpanded(ctx: ServiceContext, subscriptions: readonly SubscriptionRecord[], expand: ReadonlySet<'customer'>) {
  const customers = expand.has('customer') ? await customersByExternalId(ctx, subscriptions.map((subscription) => subscription.customerExternalId)) : null;
  return (subscription: SubscriptionRecord): z.infer<typeof expandedSubscriptionJson> => {
    const shown = presentSubscription(subscription);
    const customer = customers?.get(subscription.customerExternalId);
    return customer ? { ...shown, customer: presentCustomer(customer) } : shown;
  };
}

export function subscriptionRoutes(app: FastifyInstance, ctx: ServiceContext): void {
  const api = app.withTypeProvider<ZodTypeProvider>();

  api.get(
    '/subscriptions',
    {
      config: READ_SCOPE,
      schema: {
        tags: ['subscriptions'],
        summary: "List subscriptions, newest first, all or a customer's, by status and creation time",
        querystring: subscriptionListQuery,
        response: { 200: documented(listJson(expandedSubscriptionJson, z.uuid()), 'Subscriptions, newest first', onePage(subscriptionExample)), 400: errorJson, 401: errorJson, 404: errorJson },
      },
    },
    async (request) => {
      const { customer, status, expand } = request.query;
      const page = await listSubscriptions(ctx, { ...toPageRequest(request.query), customerExternalId: customer, status });
      return presentPage(page, await presentExpanded(ctx, page.items, expansionsOf(expand)));
    },
  );

  api.get(
    '/subscriptions/:id',
    {
      config: READ_SCOPE,
      schema: {
        tags: ['subscriptions'],
        summary: 'Read one subscription by its recur id',
        params: z.object({ id: z.uuid() }),
        querystring: z.object({ expand: expandable }).strict(),
        response: { 200: documented(expandedSubscriptionJson, 'The subscription', subscriptionExample), 400: errorJson, 401: errorJson, 404: errorJson },
      },
    },
    async (request) => {
      const subscription = await getSubscription(ctx, request.params.id);
      return (await presentExpanded(ctx, [subscription], expansionsOf(request.query.expand)))(subscription);
    },
  );
}
