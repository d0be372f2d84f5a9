import { ApiError, CheckoutPaymentIntent, OrdersController, PaymentsController } from '@paypal/paypal-server-sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningSandbox } from '../../../sandbox/core/start-sandbox.ts';
import { accessToken, approveAs, eventsOf, linkOf, monthlyPlan, paypalCall, paypalSdk, startPaypalSandbox, startWebhookListener } from './paypal-kit.ts';

const DAY = 86_400_000;
let sandbox: RunningSandbox;
let orders: OrdersController;
let payments: PaymentsController;
let token: string;
let listener: Awaited<ReturnType<typeof startWebhookListener>>;

async function approvedOrder(payer: string, value = '119.88', style: 'application_context' | 'payment_source' = 'application_context'): Promise<string> {
  const urls = { returnUrl: 'https://shop.example/paypal/order-return', cancelUrl: 'https://shop.example/paypal/order-cancel' };
  const { result } = await orders.createOrder({
    body: {
      intent: CheckoutPaymentIntent.Capture,
      purchaseUnits: [{ amount: { currencyCode: 'EUR', value }, customId: 'customer-9', description: '12 months recur Pro' }],
      ...(style === 'application_context' ? { applicationContext: urls } : { paymentSource: { paypal: { experienceContext: urls } } }),
    },
  });
  expect(result.status).toBe(style === 'application_context' ? 'CREATED' : 'PAYER_ACTION_REQUIRED');
  const approve = result.links!.find((link) => link.rel === (style === 'application_context' ? 'approve' : 'payer-action'))!.href;
  const redirect = await approveAs(approve, payer);
  const target = new URL(redirect.headers.get('location')!);
  expect(target.pathname).toBe('/paypal/order-return');
  expect(target.searchParams.get('token')).toBe(result.id);
  expect(target.searchParams.get('PayerID')).toMatch(/^[A-Z0-9]{13}$/);
  return result.id!;
}

async function issueOf(call: Promise<unknown>): Promise<{ status: number; issue: string }> {
  try {
    await call;
  } catch (error) {
    if (error instanceof ApiError) {
      const body = JSON.parse(String(error.body)) as { details: { issue: string }[] };
      return { status: error.statusCode, issue: body.details[0]!.issue };
    }
    throw error;
  }
  throw new Error('the call succeeded');
}

beforeAll(async () => {
  sandbox = await startPaypalSandbox();
  const sdk = paypalSdk(sandbox.url);
  orders = new OrdersController(sdk);
  payments = new PaymentsController(sdk);
  token = await accessToken(sandbox.url);
  listener = await startWebhookListener();
  await paypalCall(sandbox.url, token, 'POST', '/v1/notifications/webhooks', { url: listener.url('/paypal'), event_types: [{ name: '*' }] });
});
afterAll(async () => {
  await sandbox.stop();
  await listener.close();
});

describe('PayPal sandbox: Orders v2 and Payments v2', () => {
  it('create -> approval page -> APPROVED -> capture (PAYMENT.CAPTURE.COMPLETED); a second capture is refused', async () => {
    const id = await approvedOrder('pays@payers.recur.test');
    expect((await orders.getOrder({ id })).result.status).toBe('APPROVED');
    const { result } = await orders.captureOrder({ id });
    expect(result.status).toBe('COMPLETED');
    const capture = result.purchaseUnits![0]!.payments!.captures![0]!;
    expect(capture).toMatchObject({ status: 'COMPLETED', amount: { currencyCode: 'EUR', value: '119.88' }, customId: 'customer-9', finalCapture: true });
    expect(result.paymentSource!.paypal!.emailAddress).toBe('pays@payers.recur.test');
    expect(await issueOf(orders.captureOrder({ id }))).toEqual({ status: 422, issue: 'ORDER_ALREADY_CAPTURED' });
    await sandbox.ctx.webhooks.flush();
    const types = eventsOf(listener.received).map((event) => event.event_type);
    expect(types).toEqual(expect.arrayContaining(['CHECKOUT.ORDER.APPROVED', 'PAYMENT.CAPTURE.COMPLETED']));
  });

  it('payment_source style answers a payer-action link; capture before approval and a declining payer are refused as PayPal refuses', async () => {
    await approvedOrder('pays@payers.recur.test', '10.00', 'payment_source');
    const { result: unapproved } = await orders.createOrder({ body: { intent: CheckoutPaymentIntent.Capture, purchaseUnits: [{ amount: { currencyCode: 'EUR', value: '5.00' } }] } });
    expect(await issueOf(orders.captureOrder({ id: unapproved.id! }))).toEqual({ status: 422, issue: 'ORDER_NOT_APPROVED' });
    const declined = await approvedOrder('declines@payers.recur.test', '5.00');
    expect(await issueOf(orders.captureOrder({ id: declined }))).toEqual({ status: 422, issue: 'INSTRUMENT_DECLINED' });
  });

  it('refunds a capture in part then in full (PAYMENT.CAPTURE.REFUNDED each), and refuses more than is left', async () => {
    const id = await approvedOrder('pays@payers.recur.test', '30.00');
    const captureId = (await orders.captureOrder({ id })).result.purchaseUnits![0]!.payments!.captures![0]!.id!;
    const { result: partial } = await payments.refundCapturedPayment({ captureId, body: { amount: { currencyCode: 'EUR', value: '10.00' }, noteToPayer: 'partial' } });
    expect(partial).toMatchObject({ status: 'COMPLETED', amount: { currencyCode: 'EUR', value: '10.00' } });
    expect((await payments.getCapturedPayment({ captureId })).result.status).toBe('PARTIALLY_REFUNDED');
    expect(await issueOf(payments.refundCapturedPayment({ captureId, body: { amount: { currencyCode: 'EUR', value: '25.00' } } }))).toEqual({ status: 422, issue: 'REFUND_AMOUNT_EXCEEDED' });
    const { result: rest } = await payments.refundCapturedPayment({ captureId, body: {} });
    expect(rest.amount).toEqual({ currencyCode: 'EUR', value: '20.00' });
    expect((await payments.getCapturedPayment({ captureId })).result.status).toBe('REFUNDED');
    await sandbox.ctx.webhooks.flush();
    const refunds = eventsOf(listener.received).filter((event) => event.event_type === 'PAYMENT.CAPTURE.REFUNDED');
    expect(refunds.map((event) => (event.resource.amount as { value: string }).value)).toEqual(['10.00', '20.00']);
  });

  it('PayPal-Request-Id on an order capture: the retry answers the same capture, no second one', async () => {
    const id = await approvedOrder('pays@payers.recur.test', '12.00');
    const first = await paypalCall(sandbox.url, token, 'POST', `/v2/checkout/orders/${id}/capture`, {}, { 'PayPal-Request-Id': `capture-${id}` });
    const second = await paypalCall(sandbox.url, token, 'POST', `/v2/checkout/orders/${id}/capture`, {}, { 'PayPal-Request-Id': `capture-${id}` });
    expect(first.status).toBe(201);
    expect(second).toEqual(first);
  });
});

describe('PayPal sandbox: disputes', () => {
  it('the disputing payer opens a dispute a day after the first payment; accept-claim resolves it in the buyer\'s favour and reverses the payment', async () => {
    const id = await approvedOrder('disputes@payers.recur.test', '40.00');
    const captureId = (await orders.captureOrder({ id })).result.purchaseUnits![0]!.payments!.captures![0]!.id!;
    expect((await paypalCall(sandbox.url, token, 'GET', '/v1/customer/disputes')).body.items).toBeUndefined();
    await sandbox.advance(new Date(sandbox.ctx.clock.now().getTime() + DAY + 1000));
    const list = await paypalCall(sandbox.url, token, 'GET', `/v1/customer/disputes?disputed_transaction_id=${captureId}`);
    const [summary] = list.body.items as { dispute_id: string; status: string }[];
    expect(summary).toMatchObject({ status: 'WAITING_FOR_SELLER_RESPONSE', dispute_amount: { currency_code: 'EUR', value: '40.00' } });
    const dispute = await paypalCall(sandbox.url, token, 'GET', `/v1/customer/disputes/${summary!.dispute_id}`);
    expect(dispute.body).toMatchObject({ dispute_id: summary!.dispute_id, disputed_transactions: [{ seller_transaction_id: captureId }], reason: 'MERCHANDISE_OR_SERVICE_NOT_RECEIVED' });
    const accepted = await paypalCall(sandbox.url, token, 'POST', `/v1/customer/disputes/${summary!.dispute_id}/accept-claim`, { note: 'refunding' });
    expect(accepted.status).toBe(200);
    const resolved = await paypalCall(sandbox.url, token, 'GET', `/v1/customer/disputes/${summary!.dispute_id}`);
    expect(resolved.body).toMatchObject({ status: 'RESOLVED', dispute_outcome: { outcome_code: 'RESOLVED_BUYER_FAVOUR', amount_refunded: { value: '40.00' } } });
    expect((await payments.getCapturedPayment({ captureId })).result.status).toBe('REVERSED');
    expect((await paypalCall(sandbox.url, token, 'POST', `/v1/customer/disputes/${summary!.dispute_id}/accept-claim`, { note: 'again' })).status).toBe(422);
    await sandbox.ctx.webhooks.flush();
    const types = eventsOf(listener.received).filter((event) => event.resource.dispute_id === summary!.dispute_id || event.resource.id === captureId).map((event) => event.event_type);
    expect(types).toEqual(['PAYMENT.CAPTURE.COMPLETED', 'CUSTOMER.DISPUTE.CREATED', 'PAYMENT.CAPTURE.REVERSED', 'CUSTOMER.DISPUTE.RESOLVED']);
  });

  it('a subscription charge disputed and left unanswered goes to review (UPDATED); adjudication in the seller\'s favour resolves it', async () => {
    const product = await paypalCall(sandbox.url, token, 'POST', '/v1/catalogs/products', { name: 'recur Pro', type: 'SERVICE' });
    const plan = await paypalCall(sandbox.url, token, 'POST', '/v1/billing/plans', monthlyPlan(product.body.id as string));
    const created = await paypalCall(sandbox.url, token, 'POST', '/v1/billing/subscriptions', { plan_id: plan.body.id, application_context: { return_url: 'https://shop.example/r', cancel_url: 'https://shop.example/c' } });
    const subscriptionId = created.body.id as string;
    await approveAs(linkOf(created.body, 'approve'), 'disputes@payers.recur.test');
    const opened = sandbox.ctx.clock.now().getTime() + DAY;
    await sandbox.advance(new Date(opened + 1000));
    const listed = (await paypalCall(sandbox.url, token, 'GET', '/v1/customer/disputes?dispute_state=REQUIRED_ACTION')).body.items as { dispute_id: string }[];
    const disputes = await Promise.all(listed.map(async (item) => (await paypalCall(sandbox.url, token, 'GET', `/v1/customer/disputes/${item.dispute_id}`)).body));
    expect(disputes).toHaveLength(1);
    const dispute = disputes[0]!;
    const disputeId = dispute.dispute_id as string;
    const saleId = (dispute.disputed_transactions as { seller_transaction_id: string }[])[0]!.seller_transaction_id;
    expect(dispute.seller_response_due_date).toBe(new Date(opened + 10 * DAY).toISOString().replace('.000', ''));
    await sandbox.advance(new Date(opened + 10 * DAY + 1000));
    expect((await paypalCall(sandbox.url, token, 'GET', `/v1/customer/disputes/${disputeId}`)).body.status).toBe('UNDER_REVIEW');
    const adjudicated = await paypalCall(sandbox.url, token, 'POST', `/v1/customer/disputes/${disputeId}/adjudicate`, { adjudication_outcome: 'SELLER_FAVOR' });
    expect(adjudicated.status).toBe(200);
    expect((await paypalCall(sandbox.url, token, 'GET', `/v1/customer/disputes/${disputeId}`)).body).toMatchObject({ status: 'RESOLVED', dispute_outcome: { outcome_code: 'RESOLVED_SELLER_FAVOUR' } });
    expect((await payments.getCapturedPayment({ captureId: saleId })).result.status).toBe('COMPLETED');
    await sandbox.ctx.webhooks.flush();
    const types = eventsOf(listener.received).filter((event) => event.resource.dispute_id === disputeId || event.resource.billing_agreement_id === subscriptionId).map((event) => event.event_type);
    expect(types).toEqual(['PAYMENT.SALE.COMPLETED', 'CUSTOMER.DISPUTE.CREATED', 'CUSTOMER.DISPUTE.UPDATED', 'CUSTOMER.DISPUTE.RESOLVED']);
  });
});
