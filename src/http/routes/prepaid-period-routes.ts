import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { PrepaidPeriodRecord } from '../../db/repositories/prepaid-period-repository.ts';
import { listPrepaidPeriods } from '../../services/prepaid/list-prepaid-periods.ts';
import type { ServiceContext } from '../../services/service-context.ts';
import { documented } from '../api-examples.ts';
import { listJson } from '../list-page.ts';
import { errorJson } from '../presenters.ts';
import { READ_SCOPE } from '../route-scope.ts';
import { externalIdParam } from './customer-routes.ts';

const prepaidPeriodJson = z.object({
  id: z.uuid(),
  provider: z.enum(['stripe', 'paypal']),
  provider_payment_id: z.string(),
  plan: z.string(),
  interval: z.enum(['month', 'year']),
  periods: z.number().int(),
  starts_at: z.iso.datetime(),
  ends_at: z.iso.datetime(),
  amount: z.object({ amount_minor: z.number().int(), currency: z.string() }),
  payment_status: z.enum(['pending', 'processing', 'succeeded', 'failed', 'refunded', 'partially_refunded', 'disputed']).describe('a refunded period gives no time'),
  created_at: z.iso.datetime(),
});

// Whole, oldest first: a customer buys a handful in a lifetime, and paid_until needs them all.
const prepaidPeriodsJson = listJson(prepaidPeriodJson, z.uuid()).extend({
  paid_until: z.iso.datetime().nullable().describe('where the prepaid time running now ends (the default paid_until of auto-renew); null when none runs'),
});

const presentPrepaidPeriod = (period: PrepaidPeriodRecord): z.infer<typeof prepaidPeriodJson> => ({
  id: period.id,
  provider: period.provider,
  provider_payment_id: period.providerPaymentId,
  plan: period.planId,
  interval: period.interval,
  periods: period.periods,
  starts_at: period.startsAt.toISOString(),
  ends_at: period.endsAt.toISOString(),
  amount: { amount_minor: period.amountMinor, currency: period.currency },
  payment_status: period.paymentStatus,
  created_at: period.createdAt.toISOString(),
});

const example = {
  data: [
    {
      id: '7a1e2b3c-4d5e-4f60-8a9b-0c1d2e3f4a5b',
      provider: 'stripe' as const,
      provider_payment_id: 'pi_3QfA1b2C3d4E5f6G',
      plan: 'monthly',
      interval: 'month' as const,
      periods: 12,
      starts_at: '2026-03-14T09:30:00.000Z',
      ends_at: '2027-03-14T09:30:00.000Z',
      amount: { amount_minor: 35988, currency: 'EUR' },
      payment_status: 'succeeded' as const,
      created_at: '2026-03-14T09:30:05.000Z',
    },
  ],
  has_more: false,
  next_cursor: null,
  paid_until: '2027-03-14T09:30:00.000Z',
};

/** `GET /v1/customers/:id/prepaid-periods`: the time a customer paid for once, without auto-renew. */
export function prepaidPeriodRoutes(app: FastifyInstance, ctx: ServiceContext): void {
  app.withTypeProvider<ZodTypeProvider>().get(
    '/customers/:id/prepaid-periods',
    {
      config: READ_SCOPE,
      schema: {
        tags: ['customers'],
        summary: 'The prepaid periods a customer bought with one-time checkouts, and until when the prepaid time runs',
        params: externalIdParam,
        response: { 200: documented(prepaidPeriodsJson, 'Prepaid periods, oldest first', example), 400: errorJson, 401: errorJson, 404: errorJson },
      },
    },
    async (request) => {
      const answer = await listPrepaidPeriods(ctx, request.params.id);
      return { data: answer.periods.map(presentPrepaidPeriod), has_more: false, next_cursor: null, paid_until: answer.paidUntil?.toISOString() ?? null };
    },
  );
}
