import { Ajv, type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningSandbox } from '../../../sandbox/core/start-sandbox.ts';
import { openApiAnnotationKeywords, standaloneSchema, type OpenApiDocument } from '../../../sandbox/sendgrid/openapi-schema.ts';
import { readReference } from '../../support/reference.ts';
import { accessToken, approveAs, eventsOf, linkOf, monthlyPlan, paypalCall, startPaypalSandbox, startWebhookListener, type JsonAnswer } from './paypal-kit.ts';

type Operation = { requestBody?: { content: { 'application/json': { schema: object } } }; responses: Record<string, { content?: { 'application/json'?: { schema: object } } }> };
type Spec = OpenApiDocument & { paths: Record<string, Record<string, Operation>>; components: { schemas: Record<string, object> } };

/** PayPal's own OpenAPI 3.0 documents (vendored under test/reference/paypal/). */
const specs = {
  products: JSON.parse(readReference('paypal/catalogs_products_v1.json')) as Spec,
  subscriptions: JSON.parse(readReference('paypal/billing_subscriptions_v1.json')) as Spec,
  orders: JSON.parse(readReference('paypal/checkout_orders_v2.json')) as Spec,
  payments: JSON.parse(readReference('paypal/payments_payment_v2.json')) as Spec,
  disputes: JSON.parse(readReference('paypal/customer_disputes_v1.json')) as Spec,
  webhooks: JSON.parse(readReference('paypal/notifications_webhooks_v1.json')) as Spec,
};

// PayPal's patterns are written for non-unicode regular expressions (`[\x01-\x7f]` ranges, escaped brackets).
const ajv = new Ajv({ allErrors: true, strict: false, unicodeRegExp: false });
addFormats.default(ajv);
for (const keyword of openApiAnnotationKeywords) if (!ajv.getKeyword(keyword)) ajv.addKeyword(keyword);
const compiled = new Map<string, ValidateFunction>();

function validator(spec: keyof typeof specs, path: string, method: string, status: string, part: 'response' | 'request' = 'response'): ValidateFunction {
  const key = `${spec} ${method} ${path} ${status} ${part}`;
  const known = compiled.get(key);
  if (known) return known;
  const document = specs[spec];
  const operation = document.paths[path]![method]!;
  const schema = part === 'request' ? operation.requestBody!.content['application/json'].schema : operation.responses[status]!.content!['application/json']!.schema;
  const validate = ajv.compile(standaloneSchema(document, schema as never));
  compiled.set(key, validate);
  return validate;
}

function conforms(answer: JsonAnswer, spec: keyof typeof specs, path: string, method: string, status: string): void {
  expect(answer.status, JSON.stringify(answer.body)).toBe(Number(status));
  const validate = validator(spec, path, method, status);
  expect(validate(answer.body), JSON.stringify(validate.errors)).toBe(true);
}

/** Sends `body` after checking it against the operation's request schema: the tests speak PayPal's dialect too. */
async function send(spec: keyof typeof specs, path: string, method: string, url: string, body: unknown): Promise<JsonAnswer> {
  const validate = validator(spec, path, method, '', 'request');
  expect(validate(body), JSON.stringify(validate.errors)).toBe(true);
  return paypalCall(sandbox.url, token, method.toUpperCase(), url, body);
}

let sandbox: RunningSandbox;
let token: string;
let listener: Awaited<ReturnType<typeof startWebhookListener>>;

beforeAll(async () => {
  sandbox = await startPaypalSandbox();
  token = await accessToken(sandbox.url);
  listener = await startWebhookListener();
});
afterAll(async () => {
  await sandbox.stop();
  await listener.close();
});

describe("PayPal sandbox answers against PayPal's OpenAPI specifications", () => {
  it('webhooks, products, plans, subscriptions, transactions, revise, and the error bodies', async () => {
    const webhook = await send('webhooks', '/v1/notifications/webhooks', 'post', '/v1/notifications/webhooks', { url: listener.url('/paypal'), event_types: [{ name: '*' }] });
    conforms(webhook, 'webhooks', '/v1/notifications/webhooks', 'post', '201');
    // Moved to another URL and back (PayPal's json_patch), keeping its id.
    const webhookPath = `/v1/notifications/webhooks/${webhook.body.id as string}`;
    const moved = await send('webhooks', '/v1/notifications/webhooks/{webhook_id}', 'patch', webhookPath, [{ op: 'replace', path: '/url', value: listener.url('/moved') }]);
    conforms(moved, 'webhooks', '/v1/notifications/webhooks/{webhook_id}', 'patch', '200');
    expect(moved.body).toMatchObject({ id: webhook.body.id, url: listener.url('/moved') });
    const back = await send('webhooks', '/v1/notifications/webhooks/{webhook_id}', 'patch', webhookPath, [{ op: 'replace', path: '/url', value: listener.url('/paypal') }]);
    expect(back.body).toMatchObject({ id: webhook.body.id, url: listener.url('/paypal') });
    const product = await send('products', '/v1/catalogs/products', 'post', '/v1/catalogs/products', { name: 'recur Pro', type: 'SERVICE', category: 'SOFTWARE' });
    conforms(product, 'products', '/v1/catalogs/products', 'post', '201');
    conforms(await paypalCall(sandbox.url, token, 'GET', `/v1/catalogs/products/${product.body.id as string}`), 'products', '/v1/catalogs/products/{product_id}', 'get', '200');
    conforms(await paypalCall(sandbox.url, token, 'GET', '/v1/catalogs/products?total_required=true'), 'products', '/v1/catalogs/products', 'get', '200');
    const planBody = monthlyPlan(product.body.id as string, { trialDays: 30 });
    const plan = await send('subscriptions', '/v1/billing/plans', 'post', '/v1/billing/plans', planBody);
    conforms(plan, 'subscriptions', '/v1/billing/plans', 'post', '201');
    const yearly = await send('subscriptions', '/v1/billing/plans', 'post', '/v1/billing/plans', monthlyPlan(product.body.id as string, { unit: 'YEAR', price: '99.00' }));
    conforms(await paypalCall(sandbox.url, token, 'GET', `/v1/billing/plans/${plan.body.id as string}`), 'subscriptions', '/v1/billing/plans/{id}', 'get', '200');
    conforms(await paypalCall(sandbox.url, token, 'GET', `/v1/billing/plans?product_id=${product.body.id as string}`), 'subscriptions', '/v1/billing/plans', 'get', '200');
    const subscriptionBody = { plan_id: plan.body.id, custom_id: 'cust-1', subscriber: { email_address: 'klant@example.nl', name: { given_name: 'Anna', surname: 'de Vries' } }, application_context: { brand_name: 'Shop', return_url: 'https://shop.example/r', cancel_url: 'https://shop.example/c' } };
    const subscription = await send('subscriptions', '/v1/billing/subscriptions', 'post', '/v1/billing/subscriptions', subscriptionBody);
    conforms(subscription, 'subscriptions', '/v1/billing/subscriptions', 'post', '201');
    const id = subscription.body.id as string;
    conforms(await paypalCall(sandbox.url, token, 'GET', `/v1/billing/subscriptions/${id}`), 'subscriptions', '/v1/billing/subscriptions/{id}', 'get', '200');
    await approveAs(linkOf(subscription.body, 'approve'), 'pays@payers.recur.test');
    await sandbox.advance(new Date(sandbox.ctx.clock.now().getTime() + 31 * 86_400_000));
    conforms(await paypalCall(sandbox.url, token, 'GET', `/v1/billing/subscriptions/${id}`), 'subscriptions', '/v1/billing/subscriptions/{id}', 'get', '200');
    const range = `start_time=2026-01-01T00:00:00Z&end_time=2027-01-01T00:00:00Z`;
    conforms(await paypalCall(sandbox.url, token, 'GET', `/v1/billing/subscriptions/${id}/transactions?${range}`), 'subscriptions', '/v1/billing/subscriptions/{id}/transactions', 'get', '200');
    const [saleId] = ((await paypalCall(sandbox.url, token, 'GET', `/v1/billing/subscriptions/${id}/transactions?${range}`)).body.transactions as { id: string }[]).map((sale) => sale.id);
    conforms(await send('payments', '/v2/payments/captures/{capture_id}/refund', 'post', `/v2/payments/captures/${saleId!}/refund`, { amount: { currency_code: 'EUR', value: '1.00' } }), 'payments', '/v2/payments/captures/{capture_id}/refund', 'post', '201');
    await sandbox.ctx.webhooks.flush();
    const saleRefund = eventsOf(listener.received).find((event) => event.event_type === 'PAYMENT.SALE.REFUNDED');
    expect(saleRefund?.resource).toMatchObject({ sale_id: saleId, billing_agreement_id: id, state: 'completed', amount: { total: '1.00', currency: 'EUR' } });
    const revise = await send('subscriptions', '/v1/billing/subscriptions/{id}/revise', 'post', `/v1/billing/subscriptions/${id}/revise`, { plan_id: yearly.body.id });
    conforms(revise, 'subscriptions', '/v1/billing/subscriptions/{id}/revise', 'post', '200');
    conforms(await paypalCall(sandbox.url, token, 'GET', '/v1/billing/subscriptions/I-NOTHERE'), 'subscriptions', '/v1/billing/subscriptions/{id}', 'get', '404');
    conforms(await paypalCall(sandbox.url, token, 'POST', '/v1/billing/plans', { name: 'x' }), 'subscriptions', '/v1/billing/plans', 'post', '400');
  });

  it('orders, captures, refunds, disputes, the signature postback and the events as delivered', async () => {
    const orderBody = { intent: 'CAPTURE', purchase_units: [{ reference_id: 'default', custom_id: 'cust-1', amount: { currency_code: 'EUR', value: '119.88' } }], payment_source: { paypal: { experience_context: { return_url: 'https://shop.example/r', cancel_url: 'https://shop.example/c' } } } };
    const order = await send('orders', '/v2/checkout/orders', 'post', '/v2/checkout/orders', orderBody);
    conforms(order, 'orders', '/v2/checkout/orders', 'post', '201');
    await approveAs(linkOf(order.body, 'payer-action'), 'disputes@payers.recur.test');
    conforms(await paypalCall(sandbox.url, token, 'GET', `/v2/checkout/orders/${order.body.id as string}`), 'orders', '/v2/checkout/orders/{id}', 'get', '200');
    const captured = await paypalCall(sandbox.url, token, 'POST', `/v2/checkout/orders/${order.body.id as string}/capture`, {});
    conforms(captured, 'orders', '/v2/checkout/orders/{id}/capture', 'post', '201');
    const captureId = ((captured.body.purchase_units as { payments: { captures: { id: string }[] } }[])[0]!.payments.captures[0]!.id);
    conforms(await paypalCall(sandbox.url, token, 'GET', `/v2/payments/captures/${captureId}`), 'payments', '/v2/payments/captures/{capture_id}', 'get', '200');
    const refund = await send('payments', '/v2/payments/captures/{capture_id}/refund', 'post', `/v2/payments/captures/${captureId}/refund`, { amount: { currency_code: 'EUR', value: '19.88' }, note_to_payer: 'partial' });
    conforms(refund, 'payments', '/v2/payments/captures/{capture_id}/refund', 'post', '201');
    await sandbox.advance(new Date(sandbox.ctx.clock.now().getTime() + 2 * 86_400_000));
    const disputes = await paypalCall(sandbox.url, token, 'GET', '/v1/customer/disputes');
    conforms(disputes, 'disputes', '/v1/customer/disputes', 'get', '200');
    const disputeId = (disputes.body.items as { dispute_id: string }[])[0]!.dispute_id;
    conforms(await paypalCall(sandbox.url, token, 'GET', `/v1/customer/disputes/${disputeId}`), 'disputes', '/v1/customer/disputes/{id}', 'get', '200');
    conforms(await paypalCall(sandbox.url, token, 'POST', `/v1/customer/disputes/${disputeId}/accept-claim`, { note: 'ok' }), 'disputes', '/v1/customer/disputes/{id}/accept-claim', 'post', '200');
    conforms(await paypalCall(sandbox.url, token, 'GET', `/v1/customer/disputes/${disputeId}`), 'disputes', '/v1/customer/disputes/{id}', 'get', '200');

    await sandbox.ctx.webhooks.flush();
    const event = validator('webhooks', '/v1/notifications/webhooks-events/{event_id}', 'get', '200');
    const types = new Set<string>();
    for (const delivered of eventsOf(listener.received)) {
      types.add(delivered.event_type);
      expect(event(delivered), `${delivered.event_type}: ${JSON.stringify(event.errors)}`).toBe(true);
    }
    expect([...types]).toEqual(expect.arrayContaining(['BILLING.SUBSCRIPTION.CREATED', 'PAYMENT.SALE.COMPLETED', 'PAYMENT.SALE.REFUNDED', 'PAYMENT.CAPTURE.COMPLETED', 'PAYMENT.CAPTURE.REFUNDED', 'CUSTOMER.DISPUTE.CREATED', 'CUSTOMER.DISPUTE.RESOLVED']));
    const request = listener.received[0]!;
    const header = (name: string) => String(request.headers[name]);
    const verifyBody = {
      auth_algo: header('paypal-auth-algo'),
      cert_url: header('paypal-cert-url'),
      transmission_id: header('paypal-transmission-id'),
      transmission_sig: header('paypal-transmission-sig'),
      transmission_time: header('paypal-transmission-time'),
      webhook_id: Object.keys(sandbox.describe().providers as object).length ? ((sandbox.describe().providers as Record<string, { webhooks: { id: string }[] }>).paypal!.webhooks[0]!.id) : '',
      webhook_event: JSON.parse(request.body) as object,
    };
    const verified = await send('webhooks', '/v1/notifications/verify-webhook-signature', 'post', '/v1/notifications/verify-webhook-signature', verifyBody);
    conforms(verified, 'webhooks', '/v1/notifications/verify-webhook-signature', 'post', '200');
    expect(verified.body.verification_status).toBe('SUCCESS');
  });
});
