import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { toEntitlementObject } from '../../presentation/entitlement-object.ts';
import { checkEntitlement } from '../../services/entitlement/check-entitlement.ts';
import type { ServiceContext } from '../../services/service-context.ts';
import { errorJson } from '../presenters.ts';
import { documented, subscriptionExample } from '../api-examples.ts';
import { READ_SCOPE } from '../route-scope.ts';
import { externalIdParam } from './customer-routes.ts';

const entitlementJson = z.object({
  customer: z.string(),
  entitled: z.boolean(),
  reason: z.enum(['trialing', 'active', 'payment_processing', 'past_due_grace', 'prepaid', 'no_subscription', 'canceled', 'past_due_expired', 'paused', 'incomplete', 'trial_expired', 'banned']),
  until: z.iso.datetime().nullable().describe('when the access ends unless the subscription renews; null when open-ended or not entitled'),
  subscription_id: z.uuid().nullable(),
  prepaid_period_id: z.uuid().optional().describe('with reason prepaid: the running prepaid period (a one-time checkout); until is the end of the paid coverage'),
  checked_at: z.iso.datetime(),
});

export function entitlementRoutes(app: FastifyInstance, ctx: ServiceContext): void {
  app.withTypeProvider<ZodTypeProvider>().get(
    '/customers/:id/entitlement',
    {
      config: READ_SCOPE,
      schema: {
        tags: ['customers'],
        summary: 'May this customer use the product now?',
        params: externalIdParam,
        response: { 200: documented(entitlementJson, 'Whether the customer may use the product now, why, and until when', { customer: 'shop-1042', entitled: true, reason: 'trialing', until: '2026-03-31T10:00:00.000Z', subscription_id: subscriptionExample.id, checked_at: '2026-03-14T09:30:00.000Z' }), 400: errorJson, 401: errorJson, 404: errorJson },
      },
    },
    async (request) => toEntitlementObject(await checkEntitlement(ctx, request.params.id)),
  );
}
