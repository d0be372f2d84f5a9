import type { Subscription } from '@paypal/paypal-server-sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPaypalSdkClient } from '../../src/providers/payments/paypal/create-paypal-sdk-client.ts';
import { toPaypalProviderDispute } from '../../src/providers/payments/paypal/map-paypal-dispute.ts';
import { toPaypalProviderOrder, toPaypalProviderPaymentFromCapture, toPaypalProviderPaymentFromTransaction } from '../../src/providers/payments/paypal/map-paypal-payments.ts';
import { toPaypalProviderPrice } from '../../src/providers/payments/paypal/map-paypal-plan.ts';
import { toPaypalProviderSubscription } from '../../src/providers/payments/paypal/map-paypal-subscription.ts';
import { firstFailureOfIncident } from '../../src/providers/payments/paypal/paypal-past-due-since.ts';
import { mapProviderStatus } from '../../src/domain/subscription-status.ts';
import { toMoney, toPaypalValue } from '../../src/providers/payments/paypal/paypal-money.ts';
import { createPaypalHttp } from '../../src/providers/payments/paypal/paypal-http.ts';
import { createPaypalSdkCalls, type PaypalSdkCalls } from '../../src/providers/payments/paypal/paypal-sdk-calls.ts';
import type { ProviderPayment, ProviderPrice } from '../../src/providers/payments/provider-objects.ts';
import type { ProviderDispute } from '../../src/providers/payments/risk-operations.ts';
import { ManualClock } from '../../src/shared/clock.ts';
import { createRequestBudget } from '../../src/shared/request-budget.ts';
import { startPaypalDialectServer, TEST_CLIENT_ID, TEST_CLIENT_SECRET, type PaypalDialectServer } from './paypal-dialect-server.ts';
import { activeSubscription, capturedOrder, completedCapture, resolvedDispute, subscriptionTransactions, trialingSubscription } from './paypal-wire-samples.ts';

let server: PaypalDialectServer;
let sdk: PaypalSdkCalls;

/** Every sample goes through the SDK, as the adapter will read it: the mappers see the SDK's models, not hand-made ones. */
beforeAll(async () => {
  server = await startPaypalDialectServer();
  const bodies: Record<string, unknown> = {
    '/v1/billing/subscriptions/I-BW452GLLEP1G': activeSubscription,
    '/v1/billing/subscriptions/I-TRIAL0000001': trialingSubscription,
    '/v1/billing/subscriptions/I-SUSPENDED0001': { ...activeSubscription, id: 'I-SUSPENDED0001', status: 'SUSPENDED', billing_info: { ...activeSubscription.billing_info, failed_payments_count: 3, last_failed_payment: { amount: { currency_code: 'EUR', value: '29.99' }, time: '2026-07-11T10:00:00Z', reason_code: 'PAYMENT_DENIED' } } },
    '/v1/billing/subscriptions/I-CANCELLED0001': { ...activeSubscription, id: 'I-CANCELLED0001', status: 'CANCELLED', status_update_time: '2026-06-15T08:30:00Z', status_change_note: 'Customer cancelled' },
    '/v1/billing/subscriptions/I-PENDING000001': { id: 'I-PENDING000001', plan_id: 'P-5ML4271244454362WXNWU5NQ', status: 'APPROVAL_PENDING', custom_id: 'cus_01JZ8Y', create_time: '2026-06-01T10:00:00Z', start_time: '2026-06-01T10:00:00Z', links: [{ href: 'https://www.paypal.com/webapps/billing/subscriptions?ba_token=BA-2M539689T3856352J', rel: 'approve', method: 'GET' }] },
    '/v2/payments/captures/2GG279541U471931P': completedCapture,
    '/v2/checkout/orders/5O190127TN364715T': capturedOrder,
    '/v1/billing/subscriptions/I-BW452GLLEP1G/transactions': subscriptionTransactions,
  };
  for (const [path, body] of Object.entries(bodies)) server.route(`GET ${path}`, () => ({ status: 200, body }));
  const http = createPaypalHttp({ apiBase: server.url, clientId: TEST_CLIENT_ID, clientSecret: TEST_CLIENT_SECRET, budget: createRequestBudget(1000), clock: new ManualClock(), backoffMs: 1 });
  sdk = createPaypalSdkCalls(createPaypalSdkClient(http, 'sandbox'));
});
afterAll(() => server.stop());

const subscription = async (id: string) => toPaypalProviderSubscription((await sdk.getSubscription(id))!);

describe('PayPal subscriptions in recur\'s terms', () => {
  it('an active subscription: plan, customer reference, payer, the period from the last payment to the next billing', async () => {
    expect(await subscription('I-BW452GLLEP1G')).toEqual({
      id: 'I-BW452GLLEP1G',
      providerCustomerId: '2J6QB8YJQSJRJ',
      status: 'ACTIVE',
      priceId: 'P-5ML4271244454362WXNWU5NQ',
      priceLookupKey: null,
      // create_time, when the buyer's subscription was made: the withdrawal period runs from it.
      signedUpAt: new Date('2026-05-02T09:59:40Z'),
      trialEnd: null,
      currentPeriodStart: new Date('2026-06-01T10:00:12Z'),
      currentPeriodEnd: new Date('2026-07-01T10:00:00Z'),
      cancelAtPeriodEnd: false,
      canceledAt: null,
      metadata: { recur_customer_id: 'cus_01JZ8Y' },
      paypalStatus: 'ACTIVE',
      customId: 'cus_01JZ8Y',
      payerEmail: 'jan@example.nl',
      failedPaymentsCount: 0,
      lastPaymentAt: new Date('2026-06-01T10:00:12Z'),
    });
  });

  it('inside the trial cycle it is trialing, the trial ending at the first charge', async () => {
    expect(await subscription('I-TRIAL0000001')).toMatchObject({ status: 'ACTIVE:TRIAL', trialEnd: new Date('2026-07-01T10:00:00Z'), currentPeriodStart: new Date('2026-06-01T10:00:00Z'), currentPeriodEnd: new Date('2026-07-01T10:00:00Z'), lastPaymentAt: null });
  });

  it('suspended after failed payments it says so; pastDueSince is absent unless the transactions were read', async () => {
    const suspended = await subscription('I-SUSPENDED0001');
    expect(suspended).toMatchObject({ status: 'SUSPENDED:PAYMENT_FAILED', paypalStatus: 'SUSPENDED', failedPaymentsCount: 3 });
    expect('pastDueSince' in suspended).toBe(false);
    const read = toPaypalProviderSubscription((await sdk.getSubscription('I-SUSPENDED0001'))!, { pastDueSince: new Date('2026-07-01T10:00:00Z'), planLookupKey: 'recur_monthly' });
    expect(read).toMatchObject({ pastDueSince: new Date('2026-07-01T10:00:00Z'), priceLookupKey: 'recur_monthly' });
  });

  it('cancelled it is canceled at PayPal\'s status time, not an event\'s', async () => {
    expect(await subscription('I-CANCELLED0001')).toMatchObject({ status: 'CANCELLED', canceledAt: new Date('2026-06-15T08:30:00Z') });
  });

  it('awaiting approval it is incomplete, with no payer yet', async () => {
    expect(await subscription('I-PENDING000001')).toMatchObject({ status: 'APPROVAL_PENDING', providerCustomerId: null, customId: 'cus_01JZ8Y', currentPeriodEnd: null });
  });

  it.each([
    ['APPROVAL_PENDING', {}, 'incomplete'],
    ['APPROVED', {}, 'incomplete'],
    ['ACTIVE', {}, 'active'],
    ['ACTIVE', { cycleExecutions: [{ tenureType: 'TRIAL', sequence: 1, cyclesCompleted: 0, cyclesRemaining: 1, totalCycles: 1 }] }, 'trialing'],
    // The running trial cycle counted as completed from its first day, as the sandbox (and PayPal) show it.
    ['ACTIVE', { cycleExecutions: [{ tenureType: 'TRIAL', sequence: 1, cyclesCompleted: 1, cyclesRemaining: 0, totalCycles: 1 }, { tenureType: 'REGULAR', sequence: 2, cyclesCompleted: 0, totalCycles: 0 }] }, 'trialing'],
    ['ACTIVE', { cycleExecutions: [{ tenureType: 'TRIAL', sequence: 1, cyclesCompleted: 1, cyclesRemaining: 0, totalCycles: 1 }, { tenureType: 'REGULAR', sequence: 2, cyclesCompleted: 1, totalCycles: 0 }] }, 'active'],
    ['ACTIVE', { failedPaymentsCount: 1 }, 'past_due'],
    ['SUSPENDED', { failedPaymentsCount: 0 }, 'paused'],
    ['SUSPENDED', { failedPaymentsCount: 3 }, 'past_due'],
    ['CANCELLED', {}, 'canceled'],
    ['EXPIRED', {}, 'canceled'],
  ])('%s with billing_info %j is recur\'s %s', (status, billingInfo, recur) => {
    const word = toPaypalProviderSubscription({ id: 'I-1', status, billingInfo } as unknown as Subscription).status;
    expect(mapProviderStatus('paypal', word)).toEqual({ ok: true, status: recur });
  });

  it('the incident began with the first declined payment after the last paid one, not the latest retry', () => {
    const sale = (status: string, time: string) => ({ id: time, status, time, amountWithBreakdown: { grossAmount: { currencyCode: 'EUR', value: '9.99' } } }) as never;
    expect(firstFailureOfIncident([sale('DECLINED', '2026-04-01T10:00:00Z'), sale('COMPLETED', '2026-04-06T10:00:00Z'), sale('DECLINED', '2026-05-06T10:00:00Z'), sale('DECLINED', '2026-05-11T10:00:00Z')])).toEqual(new Date('2026-05-06T10:00:00Z'));
    expect(firstFailureOfIncident([sale('DECLINED', '2026-05-11T10:00:00Z'), sale('COMPLETED', '2026-05-16T10:00:00Z')])).toBeNull();
    expect(firstFailureOfIncident([])).toBeNull();
  });
});

describe('PayPal payments, orders, disputes and plans in recur\'s terms', () => {
  it('a capture is a payment in minor units, paid at the capture\'s own time', async () => {
    const payment = toPaypalProviderPaymentFromCapture((await sdk.getCapture('2GG279541U471931P'))!);
    expect(payment).toEqual({
      id: '2GG279541U471931P',
      providerCustomerId: null,
      providerSubscriptionId: null,
      amountMinor: 29990,
      currency: 'EUR',
      amountRefundedMinor: 0,
      status: 'succeeded',
      methodSummary: 'PayPal',
      methodType: 'paypal',
      at: new Date('2026-06-01T10:02:00Z'),
      paidAt: new Date('2026-06-01T10:02:00Z'),
      failedAt: null,
    });
    // The shapes the Stripe adapter already uses, so one neutral type can hold both.
    const neutral: ProviderPayment = payment;
    expect(neutral.id).toBe(payment.id);
  });

  it('a partly refunded capture counts its completed refunds; a refunded one its whole amount', () => {
    const capture = { id: 'C1', status: 'PARTIALLY_REFUNDED', amount: { currencyCode: 'EUR', value: '299.90' }, createTime: '2026-06-01T10:02:00Z' } as never;
    const refunds = [
      { id: 'R1', status: 'COMPLETED', amount: { currencyCode: 'EUR', value: '100.00' } },
      { id: 'R2', status: 'CANCELLED', amount: { currencyCode: 'EUR', value: '50.00' } },
    ] as never;
    expect(toPaypalProviderPaymentFromCapture(capture, { refunds })).toMatchObject({ status: 'partially_refunded', amountRefundedMinor: 10000 });
    expect(toPaypalProviderPaymentFromCapture({ id: 'C2', status: 'REFUNDED', amount: { currencyCode: 'EUR', value: '299.90' } } as never)).toMatchObject({ status: 'refunded', amountRefundedMinor: 29990 });
    expect(toPaypalProviderPaymentFromCapture({ id: 'C3', status: 'DECLINED', amount: { currencyCode: 'EUR', value: '29.99' }, createTime: '2026-06-01T10:00:00Z', updateTime: '2026-06-01T10:00:03Z' } as never)).toMatchObject({ status: 'failed', paidAt: null, failedAt: new Date('2026-06-01T10:00:03Z') });
  });

  it('a subscription\'s sale from its transactions list is a payment of that subscription', async () => {
    const list = await sdk.listSubscriptionTransactions('I-BW452GLLEP1G', new Date('2026-05-01T00:00:00Z'), new Date('2026-06-30T00:00:00Z'));
    expect(toPaypalProviderPaymentFromTransaction(list.transactions![0]!, 'I-BW452GLLEP1G', '2J6QB8YJQSJRJ')).toEqual({
      id: '80021663DE681814L',
      providerCustomerId: '2J6QB8YJQSJRJ',
      providerSubscriptionId: 'I-BW452GLLEP1G',
      amountMinor: 2999,
      currency: 'EUR',
      amountRefundedMinor: 0,
      status: 'succeeded',
      methodSummary: 'PayPal',
      methodType: 'paypal',
      at: new Date('2026-06-01T10:00:12Z'),
      paidAt: new Date('2026-06-01T10:00:12Z'),
      failedAt: null,
    });
  });

  it('an order: status, the purchase unit\'s custom_id, the payer and its capture', async () => {
    const order = toPaypalProviderOrder((await sdk.getOrder('5O190127TN364715T'))!);
    expect(order).toMatchObject({ id: '5O190127TN364715T', status: 'COMPLETED', customId: 'cus_01JZ8Y', payerId: '2J6QB8YJQSJRJ', payerEmail: 'jan@example.nl', created: new Date('2026-06-01T10:00:00Z') });
    expect(order.capture).toMatchObject({ id: '2GG279541U471931P', amountMinor: 29990, status: 'succeeded', providerCustomerId: '2J6QB8YJQSJRJ' });
  });

  it('a dispute: the disputed transaction, amount, reason, the seller\'s due date, and the outcome once resolved', () => {
    const dispute = toPaypalProviderDispute(resolvedDispute);
    expect(dispute).toEqual({
      id: 'PP-D-27803',
      chargeId: '2GG279541U471931P',
      paymentIntentId: '2GG279541U471931P',
      amountMinor: 29990,
      currency: 'EUR',
      reason: 'UNAUTHORISED',
      status: 'RESOLVED',
      evidenceDueBy: new Date('2026-06-13T08:00:00Z'),
      created: new Date('2026-06-03T08:00:00Z'),
      outcome: 'RESOLVED_BUYER_FAVOUR',
      amountRefundedMinor: 29990,
      customId: 'cus_01JZ8Y',
    });
    expect(toPaypalProviderDispute({ ...resolvedDispute, status: 'UNDER_REVIEW' })).toMatchObject({ outcome: null, amountRefundedMinor: 0 });
    const neutral: ProviderDispute = dispute;
    expect(neutral.id).toBe('PP-D-27803');
  });

  it('a billing plan is a price: the regular cycle\'s amount and interval, and its trial cycle in days', () => {
    const plan = {
      id: 'P-5ML4271244454362WXNWU5NQ',
      productId: 'PROD-XXCD1234QWER65782',
      status: 'ACTIVE',
      billingCycles: [
        { tenureType: 'TRIAL', sequence: 1, totalCycles: 1, frequency: { intervalUnit: 'DAY', intervalCount: 30 } },
        { tenureType: 'REGULAR', sequence: 2, totalCycles: 0, frequency: { intervalUnit: 'YEAR', intervalCount: 1 }, pricingScheme: { fixedPrice: { currencyCode: 'EUR', value: '299.90' } } },
      ],
    } as never;
    const price = toPaypalProviderPrice(plan);
    expect(price).toEqual({ id: 'P-5ML4271244454362WXNWU5NQ', productId: 'PROD-XXCD1234QWER65782', lookupKey: null, amountMinor: 29990, currency: 'EUR', interval: 'year', active: true, trialDays: 30 });
    const neutral: ProviderPrice = price!;
    expect(neutral.interval).toBe('year');
  });
});

describe('PayPal amounts', () => {
  it.each([
    ['29.99', 'EUR', 2999],
    ['299.9', 'EUR', 29990],
    ['0.01', 'EUR', 1],
    ['10', 'USD', 1000],
    ['1500', 'JPY', 1500],
    ['-5.00', 'EUR', -500],
    ['19.990', 'EUR', 1999],
  ])('"%s" %s is %i minor units', (value, currency, minor) => {
    expect(toMoney({ currencyCode: currency, value })).toEqual({ amountMinor: minor, currency });
  });

  it('refuses what would need rounding or is no number', () => {
    expect(() => toMoney({ currencyCode: 'EUR', value: '29.999' })).toThrow(RangeError);
    expect(() => toMoney({ currencyCode: 'JPY', value: '1500.5' })).toThrow(RangeError);
    expect(() => toMoney({ currencyCode: 'EUR', value: '1e3' })).toThrow(RangeError);
  });

  it('writes minor units back as PayPal\'s decimal string', () => {
    expect(toPaypalValue({ amountMinor: 2999, currency: 'EUR' })).toBe('29.99');
    expect(toPaypalValue({ amountMinor: 5, currency: 'EUR' })).toBe('0.05');
    expect(toPaypalValue({ amountMinor: 1500, currency: 'JPY' })).toBe('1500');
    expect(toPaypalValue({ amountMinor: -500, currency: 'EUR' })).toBe('-5.00');
  });
});
