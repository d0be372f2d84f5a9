import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { SUBSCRIPTION_STATUSES } from '../../domain/subscription-status.ts';
import { getSubscription } from '../../services/subscriptions/get-subscription.ts';
import { listSubscriptions } from '../../services/subscriptions/list-subscriptions.ts';
import type { ServiceContext } from '../../services/service-context.ts';
import { errorJson, presentSubscription, subscriptionJson } from '../presenters.ts';
import { documented, subscriptionExample } from '../api-examples.ts';
import { externalIdParam } from './customer-routes.ts';

const listQuery = z
  .object({
    customer: externalIdParam.shape.id.optional(),
    status: z.enum(SUBSCRIPTION_STATUSES).optional(),
    limit: z.coerce.number().int().min(1).max(100).default(20),
    starting_after: z.uuid().optional(),
  })
  .strict();

export function subscriptionRoutes(app: FastifyInstance, ctx: ServiceContext): void {
  const api = app.withTypeProvider<ZodTypeProvider>();

  api.get(
    '/subscriptions',
    {
      schema: {
        tags: ['subscriptions'],
        summary: 'List subscriptions, newest first (cursor: starting_after = the last id of the previous page)',
        querystring: listQuery,
        response: { 200: documented(z.object({ data: z.array(subscriptionJson), has_more: z.boolean() }), 'Subscriptions, newest first; has_more: pass the last id as starting_after for the next page', { data: [subscriptionExample], has_more: false }), 400: errorJson, 401: errorJson, 404: errorJson },
      },
    },
    async (request) => {
      const { customer, status, limit, starting_after } = request.query;
      const page = await listSubscriptions(ctx, { customerExternalId: customer, status, limit, startingAfter: starting_after });
      return { data: page.items.map(presentSubscription), has_more: page.hasMore };
    },
  );

  api.get(
    '/subscriptions/:id',
    {
      schema: {
        tags: ['subscriptions'],
        summary: 'Read one subscription by its recur id',
        params: z.object({ id: z.uuid() }),
        response: { 200: documented(subscriptionJson, 'The subscription', subscriptionExample), 400: errorJson, 401: errorJson, 404: errorJson },
      },
    },
    async (request) => presentSubscription(await getSubscription(ctx, request.params.id)),
  );
}
