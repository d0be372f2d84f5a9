import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { toMinor } from './money.ts';
import { captureObject, refundObject, refundPayment } from './payment-objects.ts';
import { paypalErrors } from './paypal-errors.ts';
import type { StoredPayment } from './paypal-state.ts';
import type { PaypalRuntime } from './runtime.ts';
import { idempotentPost, parseBody } from './wire.ts';

const refundBody = z.object({
  amount: z.object({ currency_code: z.string().regex(/^[A-Z]{3}$/), value: z.string().max(32) }).optional(),
  custom_id: z.string().min(1).max(127).optional(),
  invoice_id: z.string().min(1).max(127).optional(),
  note_to_payer: z.string().min(1).max(255).optional(),
});

function findPayment(rt: PaypalRuntime, id: string): StoredPayment {
  const payment = rt.data.payments[id];
  if (!payment) throw paypalErrors.notFound('capture');
  return payment;
}

/** Payments v2: get a capture (a subscription's sale too), refund it in full or in part, get a refund. */
export function registerPaymentRoutes(api: FastifyInstance, rt: PaypalRuntime): void {
  api.get<{ Params: { id: string } }>('/v2/payments/captures/:id', async (request) => captureObject(rt, findPayment(rt, request.params.id)));

  api.get<{ Params: { id: string } }>('/v2/payments/refunds/:id', async (request) => {
    const refund = rt.data.refunds[request.params.id];
    if (!refund) throw paypalErrors.notFound('refund');
    return refundObject(rt, refund);
  });

  idempotentPost(api, rt, '/v2/payments/captures/:id/refund', (request) => {
    const payment = findPayment(rt, (request.params as { id: string }).id);
    const body = parseBody(refundBody, request.body);
    if (payment.status === 'REFUNDED') throw paypalErrors.unprocessable('CAPTURE_FULLY_REFUNDED', 'The capture has already been fully refunded.');
    if (payment.status !== 'COMPLETED' && payment.status !== 'PARTIALLY_REFUNDED') throw paypalErrors.unprocessable('REFUND_NOT_ALLOWED', 'Capture cannot be refunded in its current state.');
    const left = payment.amount - payment.refunded;
    let amount = left;
    if (body.amount) {
      if (body.amount.currency_code !== payment.currency) throw paypalErrors.unprocessable('REFUND_CURRENCY_MISMATCH', 'Refund must be in the same currency as the capture.');
      const asked = toMinor(body.amount.value, payment.currency);
      if (asked === null || asked <= 0) throw paypalErrors.invalidRequest([{ field: '/amount/value', location: 'body', issue: 'INVALID_PARAMETER_VALUE', description: 'The value of a field is invalid.' }]);
      if (asked > left) throw paypalErrors.unprocessable('REFUND_AMOUNT_EXCEEDED', 'The refund amount must be less than or equal to the capture amount that has not yet been refunded.');
      amount = asked;
    }
    const refund = refundPayment(rt, payment, amount, { note_to_payer: body.note_to_payer, custom_id: body.custom_id, invoice_id: body.invoice_id });
    return { status: 201, body: refundObject(rt, refund) };
  });
}
