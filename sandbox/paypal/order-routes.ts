import type { FastifyInstance, FastifyReply } from 'fastify';
import { z } from 'zod';
import { renderApprovalPage, withQuery } from './approval-page.ts';
import { paypalIds } from './ids.ts';
import { money, toMinor } from './money.ts';
import { captureObject, recordPayment } from './payment-objects.ts';
import { paypalErrors } from './paypal-errors.ts';
import type { StoredOrder } from './paypal-state.ts';
import type { PaypalRuntime } from './runtime.ts';
import { chargeGoesThrough, merchantId, payerIdOf, payerName, testPayers } from './test-payers.ts';
import { emitEvent } from './webhook-events.ts';
import { idempotentPost, parseBody } from './wire.ts';

const urls = z.object({ return_url: z.string().url().max(4000).optional(), cancel_url: z.string().url().max(4000).optional() }).passthrough();

const createBody = z.object({
  intent: z.enum(['CAPTURE', 'AUTHORIZE']),
  purchase_units: z
    .array(
      z
        .object({
          reference_id: z.string().min(1).max(256).optional(),
          description: z.string().min(1).max(127).optional(),
          custom_id: z.string().min(1).max(255).optional(),
          invoice_id: z.string().min(1).max(127).optional(),
          amount: z.object({ currency_code: z.string().regex(/^[A-Z]{3}$/), value: z.string().max(32) }).passthrough(),
        })
        .passthrough(),
    )
    .min(1)
    .max(10),
  application_context: urls.optional(),
  payment_source: z.object({ paypal: z.object({ experience_context: urls.optional() }).passthrough().optional() }).passthrough().optional(),
});

function findOrder(rt: PaypalRuntime, id: string): StoredOrder {
  const order = rt.data.orders[id];
  if (!order) throw paypalErrors.notFound('order');
  return order;
}

function approveLink(rt: PaypalRuntime, order: StoredOrder) {
  return { href: `${rt.sandbox.baseUrl()}/paypal/checkoutnow?token=${order.id}`, rel: order.payment_source_style ? 'payer-action' : 'approve', method: 'GET' };
}

/** Orders v2 as PayPal answers GET /v2/checkout/orders/{id}. */
export function orderObject(rt: PaypalRuntime, order: StoredOrder): Record<string, unknown> {
  const self = `${rt.apiBase()}/v2/checkout/orders/${order.id}`;
  const payer = order.payer ? { email_address: order.payer, payer_id: order.payer_id, name: payerName(order.payer), address: { country_code: 'NL' } } : null;
  const open = order.status === 'CREATED' || order.status === 'PAYER_ACTION_REQUIRED';
  return {
    id: order.id,
    intent: order.intent,
    status: order.status,
    ...(payer ? { payment_source: { paypal: { email_address: payer.email_address, account_id: payer.payer_id, account_status: 'VERIFIED', name: payer.name, address: payer.address } }, payer } : {}),
    purchase_units: order.purchase_units.map((unit, index) => {
      const captureId = order.capture_ids[index];
      const capture = captureId ? rt.data.payments[captureId] : undefined;
      return {
        reference_id: unit.reference_id,
        amount: money(unit.amount, unit.currency),
        payee: { email_address: 'merchant@recur.test', merchant_id: merchantId },
        ...(unit.description ? { description: unit.description } : {}),
        ...(unit.custom_id ? { custom_id: unit.custom_id } : {}),
        ...(unit.invoice_id ? { invoice_id: unit.invoice_id } : {}),
        ...(capture ? { payments: { captures: [captureObject(rt, capture)] } } : {}),
      };
    }),
    create_time: order.create_time,
    update_time: order.update_time,
    links: [
      { href: self, rel: 'self', method: 'GET' },
      ...(open ? [approveLink(rt, order), { href: self, rel: 'update', method: 'PATCH' }] : []),
      ...(order.status === 'APPROVED' ? [{ href: `${self}/capture`, rel: 'capture', method: 'POST' }] : []),
    ],
  };
}

/** Orders v2: create, get, capture. */
export function registerOrderRoutes(api: FastifyInstance, rt: PaypalRuntime): void {
  idempotentPost(api, rt, '/v2/checkout/orders', (request) => {
    const body = parseBody(createBody, request.body);
    if (body.intent !== 'CAPTURE') throw paypalErrors.unprocessable('INTENT_NOT_SUPPORTED', 'The emulator supports intent CAPTURE only.');
    const units = body.purchase_units.map((unit, index) => {
      const amount = toMinor(unit.amount.value, unit.amount.currency_code);
      if (amount === null || amount <= 0) {
        throw paypalErrors.invalidRequest([{ field: `/purchase_units/@reference_id=='${unit.reference_id ?? 'default'}'/amount/value`, location: 'body', issue: 'INVALID_PARAMETER_VALUE', description: 'The value of a field is invalid.' }]);
      }
      return {
        reference_id: unit.reference_id ?? (index === 0 ? 'default' : String(index)),
        amount,
        currency: unit.amount.currency_code,
        ...(unit.custom_id ? { custom_id: unit.custom_id } : {}),
        ...(unit.description ? { description: unit.description } : {}),
        ...(unit.invoice_id ? { invoice_id: unit.invoice_id } : {}),
      };
    });
    const context = body.payment_source?.paypal?.experience_context ?? body.application_context;
    const now = rt.nowIso();
    const order: StoredOrder = {
      id: paypalIds.order(),
      intent: 'CAPTURE',
      status: body.payment_source ? 'PAYER_ACTION_REQUIRED' : 'CREATED',
      purchase_units: units,
      ...(context?.return_url ? { return_url: context.return_url } : {}),
      ...(context?.cancel_url ? { cancel_url: context.cancel_url } : {}),
      payment_source_style: body.payment_source !== undefined,
      payer: null,
      payer_id: null,
      capture_ids: [],
      create_time: now,
      update_time: now,
    };
    rt.data.orders[order.id] = order;
    return { status: 201, body: orderObject(rt, order) };
  });

  api.get<{ Params: { id: string } }>('/v2/checkout/orders/:id', async (request) => orderObject(rt, findOrder(rt, request.params.id)));

  idempotentPost(api, rt, '/v2/checkout/orders/:id/capture', (request) => {
    const order = findOrder(rt, (request.params as { id: string }).id);
    if (order.status === 'COMPLETED') throw paypalErrors.unprocessable('ORDER_ALREADY_CAPTURED', 'Order already captured. If intent=CAPTURE only one capture per order is allowed.');
    if (order.status !== 'APPROVED' || !order.payer) throw paypalErrors.unprocessable('ORDER_NOT_APPROVED', 'Payer has not yet approved the Order for payment.');
    if (!chargeGoesThrough(order.payer, { scheduled: false, fundingFixed: false })) {
      throw paypalErrors.unprocessable('INSTRUMENT_DECLINED', 'The instrument presented was either declined by the processor or bank, or it can\'t be used for this payment.');
    }
    for (const unit of order.purchase_units) {
      const capture = recordPayment(rt, { kind: 'capture', status: 'COMPLETED', amount: unit.amount, currency: unit.currency, payer: order.payer, order_id: order.id, ...(unit.custom_id ? { custom_id: unit.custom_id } : {}), ...(unit.invoice_id ? { invoice_id: unit.invoice_id } : {}) });
      order.capture_ids.push(capture.id);
      emitEvent(rt, 'PAYMENT.CAPTURE.COMPLETED', 'capture', captureObject(rt, capture), `Payment completed for ${money(unit.amount, unit.currency).value} ${unit.currency}`);
    }
    order.status = 'COMPLETED';
    order.update_time = rt.nowIso();
    return { status: 201, body: orderObject(rt, order) };
  });
}

function orderPage(rt: PaypalRuntime, order: StoredOrder, error?: string): string {
  const total = order.purchase_units.map((unit) => `${money(unit.amount, unit.currency).value} ${unit.currency}${unit.description ? ` - ${unit.description}` : ''}`);
  return renderApprovalPage({
    title: 'Pay with PayPal',
    lines: total,
    action: `${rt.sandbox.baseUrl()}/paypal/checkoutnow`,
    hidden: { token: order.id },
    agree: 'Continue',
    cancelUrl: order.cancel_url ? withQuery(order.cancel_url, { token: order.id }) : null,
    ...(error ? { error } : {}),
  });
}

function notFound(reply: FastifyReply): FastifyReply {
  return reply.status(404).type('text/html; charset=utf-8').send('<!doctype html><title>Not found</title><p>This checkout link is not valid (or was already used).</p>');
}

/** The hosted approval of an order, at the path of PayPal's own approve links. */
export function registerOrderApproval(app: FastifyInstance, rt: PaypalRuntime): void {
  const pending = (token: string | undefined) => {
    const order = token ? rt.data.orders[token] : undefined;
    return order && (order.status === 'CREATED' || order.status === 'PAYER_ACTION_REQUIRED') ? order : undefined;
  };
  app.get<{ Querystring: { token?: string } }>('/paypal/checkoutnow', async (request, reply) => {
    const order = pending(request.query.token);
    if (!order) return notFound(reply);
    return reply.type('text/html; charset=utf-8').send(orderPage(rt, order));
  });
  app.post('/paypal/checkoutnow', async (request, reply) => {
    const form = (request.body ?? {}) as Record<string, string>;
    const order = pending(form.token);
    if (!order) return notFound(reply);
    const payer = typeof form.payer === 'string' && form.payer.includes('@') ? form.payer.trim().toLowerCase() : Object.keys(testPayers)[0]!;
    order.payer = payer;
    order.payer_id = payerIdOf(payer);
    order.status = 'APPROVED';
    order.update_time = rt.nowIso();
    emitEvent(rt, 'CHECKOUT.ORDER.APPROVED', 'checkout-order', orderObject(rt, order), `An order has been approved by buyer`);
    if (!order.return_url) return reply.type('text/html; charset=utf-8').send(`<!doctype html><title>Approved</title><p>Order ${order.id} is approved.</p>`);
    return reply.redirect(withQuery(order.return_url, { token: order.id, PayerID: order.payer_id }), 302);
  });
}
