import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mapProviderStatus } from '../../src/domain/subscription-status.ts';
import { accessToken, paypalCall, sandboxStart } from '../sandbox/paypal/paypal-kit.ts';
import { seedCustomer, seedSubscription } from '../support/seed.ts';
import { testDatabaseKinds } from '../support/test-database.ts';
import { startPaypalTestApp, subscribeThroughRecur, type PaypalTestApp } from './paypal-test-kit.ts';

const DAY_MS = 86_400_000;
const onDay = (day: number) => new Date(sandboxStart.getTime() + day * DAY_MS);

describe.each(testDatabaseKinds)('recur\'s PayPal gateway against the sandbox on %s', (kind) => {
  let kit: PaypalTestApp;
  beforeAll(async () => {
    kit = await startPaypalTestApp(kind);
  }, 60_000);
  afterAll(() => kit.stop());

  it('failed renewals: past due since the FIRST declined payment of the incident, through the retries and the suspension, until reactivated and paid', async () => {
    await seedCustomer(kit.t, 'gw-2001');
    const { paypalId } = await subscribeThroughRecur(kit, 'gw-2001', 'monthly', 'renewals-fail@payers.recur.test');
    expect(await kit.gateway.retrieveSubscription(paypalId)).toMatchObject({ status: 'ACTIVE:TRIAL', trialEnd: onDay(30), pastDueSince: null });

    await kit.sandbox.advance(onDay(30));
    const failing = (await kit.gateway.retrieveSubscription(paypalId))!;
    expect(failing).toMatchObject({ status: 'ACTIVE:PAYMENT_FAILED', pastDueSince: onDay(30) });
    expect(mapProviderStatus('paypal', failing.status)).toEqual({ ok: true, status: 'past_due' });

    // PayPal's retries move last_failed_payment; the incident still began on day 30.
    await kit.sandbox.advance(onDay(40));
    const suspended = (await kit.gateway.retrieveSubscription(paypalId))!;
    expect(suspended).toMatchObject({ status: 'SUSPENDED:PAYMENT_FAILED', pastDueSince: onDay(30) });
    expect(mapProviderStatus('paypal', suspended.status)).toEqual({ ok: true, status: 'past_due' });

    const charges = await kit.gateway.listCustomerCharges(suspended.providerCustomerId!, { createdSince: onDay(0) });
    expect(charges.map((charge) => [charge.status, charge.failureCode, charge.amountMinor, charge.created.toISOString()])).toEqual([
      ['failed', 'declined', 2999, onDay(40).toISOString()],
      ['failed', 'declined', 2999, onDay(35).toISOString()],
      ['failed', 'declined', 2999, onDay(30).toISOString()],
    ]);

    await fetch(`${kit.sandbox.url}/paypal/sandbox/subscriptions/${paypalId}/fix-funding`, { method: 'POST' });
    const resumed = await kit.gateway.resumeSubscription(paypalId, true, 'recur:test:resume');
    expect(resumed.subscription).toMatchObject({ status: 'ACTIVE', pastDueSince: null });
    expect(mapProviderStatus('paypal', resumed.subscription.status)).toEqual({ ok: true, status: 'active' });
  });

  it('payments, refunds and charges by the capture or sale id; unknown ids read as null', async () => {
    const customerId = await seedCustomer(kit.t, 'gw-2002');
    await seedSubscription(kit.t, customerId, { provider: 'paypal', providerSubscriptionId: 'I-ENDEDBEFORE1', status: 'canceled', providerStatus: 'CANCELLED', canceledAt: kit.t.clock.now() });
    const { paypalId } = await subscribeThroughRecur(kit, 'gw-2002', 'monthly');
    const [sale] = await kit.gateway.listCustomerCharges((await kit.gateway.retrieveSubscription(paypalId))!.providerCustomerId!, { createdSince: onDay(0) });
    expect(sale).toMatchObject({ status: 'succeeded', amountMinor: 2999, currency: 'EUR' });
    expect(await kit.gateway.retrievePayment(sale!.id)).toMatchObject({ id: sale!.id, status: 'succeeded', amountMinor: 2999, amountRefundedMinor: 0 });
    expect(await kit.gateway.refundCharge(sale!.id, 'recur:test:refund')).toMatchObject({ status: 'COMPLETED', amountMinor: 2999 });
    // The same refund asked again (a retry) is answered by PayPal's request id, not a second refund.
    expect(await kit.gateway.refundCharge(sale!.id, 'recur:test:refund')).toMatchObject({ status: 'COMPLETED', amountMinor: 2999 });
    expect(await kit.gateway.retrieveCharge(sale!.id)).toMatchObject({ amountRefundedMinor: 2999 });
    expect(await kit.gateway.retrievePayment('0NOTAPAYMENT00000')).toBeNull();
    expect(await kit.gateway.retrieveSubscription('I-NOTASUBSCRIP')).toBeNull();
    expect(await kit.gateway.retrieveDispute('PP-D-0')).toBeNull();
  });

  it('a refund read by id: the sale it refunds, its amount and PayPal\'s total refunded to date; a subscription\'s payments in a window', async () => {
    const customerId = await seedCustomer(kit.t, 'gw-2004');
    await seedSubscription(kit.t, customerId, { provider: 'paypal', providerSubscriptionId: 'I-ENDEDBEFORE4', status: 'canceled', providerStatus: 'CANCELLED', canceledAt: kit.t.clock.now() });
    const { paypalId } = await subscribeThroughRecur(kit, 'gw-2004', 'monthly');
    const [sale] = await kit.gateway.listSubscriptionPayments({ providerSubscriptionId: paypalId, from: onDay(-1), to: onDay(400) });
    expect(sale).toMatchObject({ status: 'succeeded', amountMinor: 2999, currency: 'EUR', providerSubscriptionId: paypalId });
    expect(await kit.gateway.listSubscriptionPayments({ providerSubscriptionId: paypalId, from: new Date(sale!.at.getTime() + 1000), to: onDay(400) })).toEqual([]);

    const token = await accessToken(kit.sandbox.url);
    const refund = async (value: string) => (await paypalCall(kit.sandbox.url, token, 'POST', `/v2/payments/captures/${sale!.id}/refund`, { amount: { currency_code: 'EUR', value } })).body.id as string;
    const first = await refund('5.00');
    const second = await refund('3.00');
    expect(await kit.gateway.retrieveRefund(first)).toMatchObject({ id: first, paymentId: sale!.id, amountMinor: 500, currency: 'EUR', completed: true, refundedToDateMinor: 500 });
    expect(await kit.gateway.retrieveRefund(second)).toMatchObject({ id: second, paymentId: sale!.id, amountMinor: 300, refundedToDateMinor: 800 });
    expect(await kit.gateway.listSubscriptionPayments({ providerSubscriptionId: paypalId, from: onDay(-1), to: onDay(400) })).toMatchObject([{ id: sale!.id, status: 'partially_refunded' }]);
    expect(await kit.gateway.retrieveRefund('0NOTAREFUND000000')).toBeNull();
  });

  it('a dispute is read and closed by accepting the claim', async () => {
    const customerId = await seedCustomer(kit.t, 'gw-2003');
    await seedSubscription(kit.t, customerId, { provider: 'paypal', providerSubscriptionId: 'I-ENDEDBEFORE2', status: 'canceled', providerStatus: 'CANCELLED', canceledAt: kit.t.clock.now() });
    const { paypalId } = await subscribeThroughRecur(kit, 'gw-2003', 'monthly', 'disputes@payers.recur.test');
    const payerId = (await kit.gateway.retrieveSubscription(paypalId))!.providerCustomerId!;
    const [sale] = await kit.gateway.listCustomerCharges(payerId, { createdSince: onDay(0) });
    // The disputing payer opens a dispute a day after paying.
    await kit.sandbox.advance(new Date(kit.sandbox.ctx.clock.now().getTime() + 2 * DAY_MS));
    const token = await accessToken(kit.sandbox.url);
    const list = await paypalCall(kit.sandbox.url, token, 'GET', `/v1/customer/disputes?disputed_transaction_id=${sale!.id}`);
    const disputeId = (list.body['items'] as { dispute_id: string }[])[0]!.dispute_id;
    expect(await kit.gateway.retrieveDispute(disputeId)).toMatchObject({ id: disputeId, chargeId: sale!.id, paymentIntentId: sale!.id, amountMinor: 2999, currency: 'EUR' });
    const closed = await kit.gateway.closeDispute(disputeId, 'recur:test:accept');
    expect(closed).toMatchObject({ id: disputeId, status: 'RESOLVED' });
  });
});
