import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createPaypalSdkClient } from '../../src/providers/payments/paypal/create-paypal-sdk-client.ts';
import { derivePaypalRequestId } from '../../src/providers/payments/paypal/derive-paypal-request-id.ts';
import { PaypalApiError } from '../../src/providers/payments/paypal/paypal-api-error.ts';
import { createPaypalHttp } from '../../src/providers/payments/paypal/paypal-http.ts';
import { createPaypalSdkCalls, type PaypalSdkCalls } from '../../src/providers/payments/paypal/paypal-sdk-calls.ts';
import { ManualClock } from '../../src/shared/clock.ts';
import { createRequestBudget, type RequestBudget } from '../../src/shared/request-budget.ts';
import { startPaypalDialectServer, TEST_CLIENT_ID, TEST_CLIENT_SECRET, type PaypalDialectServer } from './paypal-dialect-server.ts';
import { activeSubscription, capturedOrder, completedCapture, subscriptionTransactions } from './paypal-wire-samples.ts';

let server: PaypalDialectServer;
let budget: RequestBudget;
let sdk: PaypalSdkCalls;

beforeEach(async () => {
  // Behind a path, as the local sandbox serves PayPal: the SDK's own base URL must not leak through.
  server = await startPaypalDialectServer({ prefix: '/paypal' });
  budget = createRequestBudget(1000);
  const http = createPaypalHttp({ apiBase: server.url, clientId: TEST_CLIENT_ID, clientSecret: TEST_CLIENT_SECRET, budget, clock: new ManualClock('2026-06-01T10:00:00Z'), backoffMs: 1 });
  sdk = createPaypalSdkCalls(createPaypalSdkClient(http, 'live'));
});
afterEach(() => server.stop());

describe('the official SDK over recur\'s transport', () => {
  it('reads a subscription from recur\'s API base with the transport\'s token, and only the transport asks for tokens', async () => {
    server.route('GET /v1/billing/subscriptions/I-BW452GLLEP1G', () => ({ status: 200, body: activeSubscription }));
    const subscription = await sdk.getSubscription('I-BW452GLLEP1G');
    await sdk.getSubscription('I-BW452GLLEP1G');
    expect(subscription).toMatchObject({ id: 'I-BW452GLLEP1G', status: 'ACTIVE', customId: 'cus_01JZ8Y', billingInfo: { nextBillingTime: '2026-07-01T10:00:00Z', failedPaymentsCount: 0 } });
    expect(server.tokenRequests()).toHaveLength(1);
    expect(server.apiRequests().map((request) => [request.path, request.headers['authorization']])).toEqual([
      ['/v1/billing/subscriptions/I-BW452GLLEP1G', 'Bearer A21AA-test-token-1'],
      ['/v1/billing/subscriptions/I-BW452GLLEP1G', 'Bearer A21AA-test-token-1'],
    ]);
    expect(budget.taken).toBe(3);
  });

  it('answers null for an object PayPal does not know', async () => {
    await expect(sdk.getSubscription('I-UNKNOWN')).resolves.toBeNull();
    await expect(sdk.getOrder('UNKNOWN')).resolves.toBeNull();
    await expect(sdk.getCapture('UNKNOWN')).resolves.toBeNull();
  });

  it('sends the operation\'s PayPal-Request-Id on the writes the SDK takes no id for (suspend, activate, cancel, revise)', async () => {
    for (const action of ['suspend', 'activate', 'cancel']) server.route(`POST /v1/billing/subscriptions/I-BW452GLLEP1G/${action}`, () => ({ status: 204 }));
    server.route('POST /v1/billing/subscriptions/I-BW452GLLEP1G/revise', () => ({ status: 200, body: { plan_id: 'P-YEARLY', plan_overridden: false } }));
    await sdk.suspendSubscription('I-BW452GLLEP1G', 'Payment failed', derivePaypalRequestId(['suspend', 'sub_1']));
    await sdk.activateSubscription('I-BW452GLLEP1G', 'Customer paid', derivePaypalRequestId(['activate', 'sub_1']));
    await sdk.cancelSubscription('I-BW452GLLEP1G', 'Customer cancelled', derivePaypalRequestId(['cancel', 'sub_1']));
    await expect(sdk.reviseSubscription('I-BW452GLLEP1G', { planId: 'P-YEARLY' }, derivePaypalRequestId(['revise', 'sub_1', 'yearly']))).resolves.toMatchObject({ planId: 'P-YEARLY' });
    expect(server.apiRequests().map((request) => [request.path, request.headers['paypal-request-id'], JSON.parse(request.body)])).toEqual([
      ['/v1/billing/subscriptions/I-BW452GLLEP1G/suspend', 'recur:suspend:sub_1', { reason: 'Payment failed' }],
      ['/v1/billing/subscriptions/I-BW452GLLEP1G/activate', 'recur:activate:sub_1', { reason: 'Customer paid' }],
      ['/v1/billing/subscriptions/I-BW452GLLEP1G/cancel', 'recur:cancel:sub_1', { reason: 'Customer cancelled' }],
      ['/v1/billing/subscriptions/I-BW452GLLEP1G/revise', 'recur:revise:sub_1:yearly', { plan_id: 'P-YEARLY' }],
    ]);
  });

  it('creates and captures an order in PayPal\'s wire format, and a 5xx on capture is retried under the same id', async () => {
    server.route('POST /v2/checkout/orders', () => ({ status: 201, body: { ...capturedOrder, status: 'CREATED', purchase_units: [{ reference_id: 'default', custom_id: 'cus_01JZ8Y', amount: { currency_code: 'EUR', value: '299.90' } }] } }));
    server.script('POST /v2/checkout/orders/5O190127TN364715T/capture', { status: 500, body: { name: 'INTERNAL_SERVER_ERROR', message: 'An internal server error occurred.', debug_id: 'd500' } });
    server.route('POST /v2/checkout/orders/5O190127TN364715T/capture', () => ({ status: 201, body: capturedOrder }));
    const created = await sdk.createOrder({ intent: 'CAPTURE' as never, purchaseUnits: [{ customId: 'cus_01JZ8Y', amount: { currencyCode: 'EUR', value: '299.90' } }] }, 'recur:order:co_1');
    expect(created.status).toBe('CREATED');
    const captured = await sdk.captureOrder('5O190127TN364715T', 'recur:capture:co_1');
    expect(captured.purchaseUnits?.[0]?.payments?.captures?.[0]).toMatchObject({ id: '2GG279541U471931P', status: 'COMPLETED' });
    const [create, ...captures] = server.apiRequests();
    expect(JSON.parse(create!.body)).toEqual({ intent: 'CAPTURE', purchase_units: [{ custom_id: 'cus_01JZ8Y', amount: { currency_code: 'EUR', value: '299.90' } }] });
    expect(create!.headers).toMatchObject({ 'paypal-request-id': 'recur:order:co_1', prefer: 'return=representation' });
    expect(captures.map((request) => request.headers['paypal-request-id'])).toEqual(['recur:capture:co_1', 'recur:capture:co_1']);
  });

  it('reads a capture, refunds it, and lists a subscription\'s transactions between two instants', async () => {
    server.route('GET /v2/payments/captures/2GG279541U471931P', () => ({ status: 200, body: completedCapture }));
    server.route('POST /v2/payments/captures/2GG279541U471931P/refund', () => ({ status: 201, body: { id: '1JU08902781691411', status: 'COMPLETED', amount: { currency_code: 'EUR', value: '299.90' }, create_time: '2026-06-05T10:00:00Z', update_time: '2026-06-05T10:00:00Z' } }));
    server.route('GET /v1/billing/subscriptions/I-BW452GLLEP1G/transactions', () => ({ status: 200, body: subscriptionTransactions }));
    await expect(sdk.getCapture('2GG279541U471931P')).resolves.toMatchObject({ id: '2GG279541U471931P', amount: { currencyCode: 'EUR', value: '299.90' } });
    await expect(sdk.refundCapture('2GG279541U471931P', {}, 'recur:refund:pay_1')).resolves.toMatchObject({ id: '1JU08902781691411', status: 'COMPLETED' });
    const list = await sdk.listSubscriptionTransactions('I-BW452GLLEP1G', new Date('2026-05-01T00:00:00Z'), new Date('2026-06-30T00:00:00Z'));
    expect(list.transactions?.[0]).toMatchObject({ id: '80021663DE681814L', amountWithBreakdown: { grossAmount: { value: '29.99' } } });
    expect(server.apiRequests().at(-1)!.path).toBe('/v1/billing/subscriptions/I-BW452GLLEP1G/transactions?start_time=2026-05-01T00%3A00%3A00.000Z&end_time=2026-06-30T00%3A00%3A00.000Z');
  });

  it('creates and lists billing plans', async () => {
    const plan = { id: 'P-5ML4271244454362WXNWU5NQ', product_id: 'PROD-XXCD1234QWER65782', name: 'Monthly', status: 'ACTIVE', create_time: '2026-05-01T00:00:00Z' };
    server.route('POST /v1/billing/plans', () => ({ status: 201, body: plan }));
    server.route('GET /v1/billing/plans', () => ({ status: 200, body: { plans: [plan], total_items: 1, total_pages: 1, links: [] } }));
    await expect(
      sdk.createPlan(
        { productId: 'PROD-XXCD1234QWER65782', name: 'Monthly', billingCycles: [{ frequency: { intervalUnit: 'MONTH' as never, intervalCount: 1 }, tenureType: 'REGULAR' as never, sequence: 1, totalCycles: 0, pricingScheme: { fixedPrice: { currencyCode: 'EUR', value: '29.99' } } }], paymentPreferences: { paymentFailureThreshold: 3 } },
        'recur:plan:monthly:v1',
      ),
    ).resolves.toMatchObject({ id: plan.id, productId: plan.product_id });
    await expect(sdk.listPlans({ productId: 'PROD-XXCD1234QWER65782' })).resolves.toMatchObject({ plans: [{ id: plan.id }], totalItems: 1 });
    expect(server.apiRequests().at(-1)!.path).toMatch(/^\/v1\/billing\/plans\?.*product_id=PROD-XXCD1234QWER65782/);
  });

  it('turns the SDK\'s errors into PaypalApiError with PayPal\'s name, issues and debug_id', async () => {
    server.route('POST /v1/billing/subscriptions/I-BW452GLLEP1G/cancel', () => ({
      status: 422,
      body: { name: 'UNPROCESSABLE_ENTITY', message: 'The requested action could not be performed, semantically incorrect, or failed business validation.', debug_id: '90c0e3a5b0b0c', details: [{ issue: 'SUBSCRIPTION_STATUS_INVALID', description: 'Invalid subscription status for cancel action.' }] },
    }));
    const error = await sdk.cancelSubscription('I-BW452GLLEP1G', 'x', 'recur:cancel:sub_1').then(() => null, (caught: unknown) => caught);
    expect(error).toBeInstanceOf(PaypalApiError);
    expect(error).toMatchObject({ httpStatus: 422, code: 'validation_failed', paypalName: 'UNPROCESSABLE_ENTITY', issues: ['SUBSCRIPTION_STATUS_INVALID'], debugId: '90c0e3a5b0b0c' });
    expect((error as Error).message).toMatch(/^PayPal answered 422 while cancelling subscription I-BW452GLLEP1G: UNPROCESSABLE_ENTITY/);
  });

  it('a network failure under the SDK is the transport\'s PaypalApiError too', async () => {
    server.script('GET /v1/billing/subscriptions/I-BW452GLLEP1G', 'drop-connection', 'drop-connection', 'drop-connection', 'drop-connection');
    const error = await sdk.getSubscription('I-BW452GLLEP1G').then(() => null, (caught: unknown) => caught);
    expect(error).toBeInstanceOf(PaypalApiError);
    expect((error as PaypalApiError).paypalName).toBe('NETWORK_FAILURE');
    expect((error as PaypalApiError).message).toMatch(/^PayPal could not be reached while GET \/v1\/billing\/subscriptions\/I-BW452GLLEP1G: NETWORK_FAILURE: fetch failed \([A-Z_]+\)$/);
    expect(server.apiRequests()).toHaveLength(4);
  });
});
