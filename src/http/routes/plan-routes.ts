import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { listPlans } from '../../services/plans/list-plans.ts';
import type { ServiceContext } from '../../services/service-context.ts';
import { errorJson, planJson, presentPlan } from '../presenters.ts';
import { documented, planExamples } from '../api-examples.ts';
import { READ_SCOPE } from '../route-scope.ts';
import { listJson } from '../list-page.ts';

export function planRoutes(app: FastifyInstance, ctx: ServiceContext): void {
  app.withTypeProvider<ZodTypeProvider>().get(
    '/plans',
    {
      config: READ_SCOPE,
      schema: {
        tags: ['plans'],
        summary: 'The plan catalogue, whole (it comes from configuration: one page, never more)',
        response: { 200: documented(listJson(planJson, z.string()), 'Every plan, with what a yearly plan saves against the monthly one', { data: planExamples, has_more: false, next_cursor: null }), 401: errorJson },
      },
    },
    async () => ({ data: listPlans(ctx).map((plan) => presentPlan(plan, ctx.config.DEFAULT_LOCALE)), has_more: false, next_cursor: null }),
  );
}
