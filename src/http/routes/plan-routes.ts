import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { listPlans } from '../../services/plans/list-plans.ts';
import type { ServiceContext } from '../../services/service-context.ts';
import { errorJson, planJson, presentPlan } from '../presenters.ts';
import { documented, planExamples } from '../api-examples.ts';

export function planRoutes(app: FastifyInstance, ctx: ServiceContext): void {
  app.withTypeProvider<ZodTypeProvider>().get(
    '/plans',
    { schema: { tags: ['plans'], summary: 'The plan catalogue', response: { 200: documented(z.object({ data: z.array(planJson) }), 'Every plan, with what a yearly plan saves against the monthly one', { data: planExamples }), 401: errorJson } } },
    async () => ({ data: listPlans(ctx).map((plan) => presentPlan(plan, ctx.config.DEFAULT_LOCALE)) }),
  );
}
