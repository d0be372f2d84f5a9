import { PaymentsController } from '@paypal/paypal-server-sdk';
import { afterEach, describe, expect, it } from 'vitest';
import { approveAs, paypalSdk } from '../sandbox/paypal/paypal-kit.ts';
import { seedCustomer } from '../support/seed.ts';
import { testDatabaseKinds } from '../support/test-database.ts';
import { PAYS, startPaypalRecur, type PaypalRecur } from '../paypal/events/paypal-events-kit.ts';
import { SHOP, type PaymentJson } from './refund-kit.ts';

type Refunded = { refund: PaymentJson['refunds'][number]; payment: PaymentJson };

/**
 * The same refund route against the PayPal sandbox: a capture of a prepaid order refunded in part
 * through Payments v2 (PayPal-Request-Id from recur's refund row), a retry refunding nothing more,
 * more than is left refused, and the rest; what PayPal holds is read back through its official SDK.
 */
describe.each(testDatabaseKinds)('refunds through the API at PayPal (%s)', (kind) => {
  let recur: PaypalRecur | undefined;
  afterEach(async () => {
    await recur?.close();
    recur = undefined;
  }, 120_000);

  const api = async (method: 'GET' | 'POST', url: string, payload?: Record<string, unknown>, headers: Record<string, string> = {}) => {
    const response = await recur!.t.app.inject({ method, url, headers: { authorization: recur!.t.auth, ...headers }, ...(payload === undefined ? {} : { payload }) });
    return { status: response.statusCode, body: response.json() as Record<string, unknown> };
  };

  it('refunds part of a capture once per key, refuses more than is left, refunds the rest', async () => {
    recur = await startPaypalRecur(kind);
    await seedCustomer(recur.t, 'pp-refund-1', { locale: 'en' });
    const started = await api('POST', '/v1/checkout', { customer: 'pp-refund-1', plan: 'monthly', provider: 'paypal', mode: 'one_time', periods: 2, return_url: SHOP });
    expect(started.status).toBe(201);
    const approved = await approveAs(started.body.url as string, PAYS);
    expect((await fetch(approved.headers.get('location')!, { redirect: 'manual' })).status).toBe(303);
    await recur.settle();
    const payment = ((await api('GET', '/v1/payments?customer=pp-refund-1')).body.data as PaymentJson[])[0]!;
    expect(payment).toMatchObject({ provider: 'paypal', amount: { amount_minor: 5998, currency: 'EUR' }, status: 'succeeded' });

    const body = { amount: { amount_minor: 1500, currency: 'EUR' }, reason: 'Goodwill' };
    const first = await api('POST', `/v1/payments/${payment.id}/refunds`, body, { 'idempotency-key': 'pp-refund-a' });
    expect(first.status).toBe(201);
    const partial = first.body as unknown as Refunded;
    expect(partial.refund).toMatchObject({ status: 'succeeded', amount: { amount_minor: 1500, currency: 'EUR' }, provider_refund_id: expect.any(String) });
    expect(partial.payment).toMatchObject({ status: 'partially_refunded', amount_refunded: { amount_minor: 1500, currency: 'EUR' } });
    const again = await api('POST', `/v1/payments/${payment.id}/refunds`, body, { 'idempotency-key': 'pp-refund-a' });
    expect((again.body as unknown as Refunded).refund.id).toBe(partial.refund.id);

    const payments = new PaymentsController(paypalSdk(recur.sandbox.url));
    const atPaypal = (await payments.getRefund({ refundId: partial.refund.provider_refund_id! })).result;
    expect([atPaypal.status, atPaypal.amount?.value, atPaypal.customId, atPaypal.sellerPayableBreakdown?.totalRefundedAmount?.value]).toEqual(['COMPLETED', '15.00', partial.refund.id, '15.00']);

    const tooMuch = await api('POST', `/v1/payments/${payment.id}/refunds`, { amount: { amount_minor: 4499, currency: 'EUR' }, reason: 'too much' });
    expect(tooMuch.status).toBe(400);
    const rest = await api('POST', `/v1/payments/${payment.id}/refunds`, { reason: 'the rest' });
    expect(rest.status).toBe(201);
    const full = rest.body as unknown as Refunded;
    expect(full.payment).toMatchObject({ status: 'refunded', amount_refunded: { amount_minor: 5998, currency: 'EUR' } });
    const last = (await payments.getRefund({ refundId: full.refund.provider_refund_id! })).result;
    // PayPal's running total: 15.00 and 44.98, nothing twice.
    expect([last.amount?.value, last.sellerPayableBreakdown?.totalRefundedAmount?.value]).toEqual(['44.98', '59.98']);
    const capture = (await payments.getCapturedPayment({ captureId: payment.provider_payment_id })).result;
    expect(capture.status).toBe('REFUNDED');
  }, 180_000);
});
