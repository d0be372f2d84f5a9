import { randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { refundPayment } from '../../services/refunds/refund-payment.ts';
import type { ServiceContext } from '../../services/service-context.ts';
import { documented, withExample } from '../api-examples.ts';
import { errorJson } from '../presenters.ts';
import { paymentExample, paymentJson, presentPayment } from './payment-routes.ts';
import { presentRefund, refundExample, refundJson } from './refund-json.ts';
import { listRefundsOfPayments } from '../../services/refunds/list-refunds.ts';

const refundBody = z
  .object({
    amount: z
      .object({ amount_minor: z.number().int().positive(), currency: z.string().regex(/^[A-Z]{3}$/, 'expected an ISO 4217 code such as EUR') })
      .strict()
      .optional()
      .describe("what to refund, in the payment's currency; absent: all that is left"),
    reason: z.string().trim().min(1).max(500).describe('why, in words; kept with the refund and in the audit log'),
  })
  .strict();

const refundedJson = z.object({ refund: refundJson, payment: paymentJson });

/**
 * `POST /v1/payments/{id}/refunds`: all or part of a payment back through its provider. With an
 * Idempotency-Key, a retry answers the same refund and the provider is asked once (the key's work
 * key is the refund's business key); without one, every request is a new refund.
 */
export function refundRoutes(app: FastifyInstance, ctx: ServiceContext): void {
  app.withTypeProvider<ZodTypeProvider>().post(
    '/payments/:id/refunds',
    {
      schema: {
        tags: ['payments'],
        summary: 'Refund all or part of a payment at its provider (never more than is left to refund)',
        params: z.object({ id: z.uuid() }),
        body: withExample(refundBody, { amount: { amount_minor: 1000, currency: 'EUR' }, reason: 'Goodwill: the parcel arrived late' }),
        response: {
          201: documented(refundedJson, "The refund as the provider answered it (status pending until the money went back), and the payment after it", {
            refund: refundExample,
            payment: { ...paymentExample, amount_refunded: { amount_minor: 1000, currency: 'EUR' }, status: 'partially_refunded', refunds: [refundExample] },
          }),
          400: errorJson,
          401: errorJson,
          404: errorJson,
          409: errorJson,
          502: errorJson,
          503: errorJson,
        },
      },
    },
    async (request, reply) => {
      const { amount, reason } = request.body;
      const requestKey = request.idempotency ? `api:${request.idempotency.workKey}` : `api:${randomUUID()}`;
      const { refund, payment } = await refundPayment(ctx, { paymentId: request.params.id, amountMinor: amount?.amount_minor, currency: amount?.currency, reason, requestKey }, request.actor);
      const refunds = await listRefundsOfPayments(ctx, [payment.id]);
      return reply.code(201).send({ refund: presentRefund(refund), payment: presentPayment(payment, refunds.get(payment.id) ?? []) });
    },
  );
}
