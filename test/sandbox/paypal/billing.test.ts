import { SubscriptionsController } from '@paypal/paypal-server-sdk';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { RunningSandbox } from '../../../sandbox/core/start-sandbox.ts';
import { accessToken, approveAs, eventsOf, linkOf, monthlyPlan, paypalCall, paypalSdk, sandboxStart, startPaypalSandbox, startWebhookListener } from './paypal-kit.ts';

const DAY = 86_400_000;
let sandbox: RunningSandbox;
let token: string;
let listener: Awaited<ReturnType<typeof startWebhookListener>>;
let productId: string;

/** Subscribes `payer` to a monthly 9.99 EUR plan with a 30-day trial (threshold 3) at the sandbox's start. */
async function subscribedAs(payer: string): Promise<string> {
  const plan = await paypalCall(sandbox.url, token, 'POST', '/v1/billing/plans', monthlyPlan(productId, { trialDays: 30, threshold: 3 }));
  const created = await paypalCall(sandbox.url, token, 'POST', '/v1/billing/subscriptions', { plan_id: plan.body.id, custom_id: payer, application_context: { return_url: 'https://shop.example/return', cancel_url: 'https://shop.example/cancel' } });
  expect((await approveAs(linkOf(created.body, 'approve'), payer)).status).toBe(302);
  return created.body.id as string;
}

const subscription = async (id: string) => (await paypalCall(sandbox.url, token, 'GET', `/v1/billing/subscriptions/${id}`)).body as { status: string; billing_info: Record<string, unknown> };
const onDay = (day: number) => sandbox.advance(new Date(sandboxStart.getTime() + day * DAY));
const dayIso = (day: number) => new Date(sandboxStart.getTime() + day * DAY).toISOString().replace('.000', '');

async function eventsFor(id: string): Promise<{ type: string; at: string }[]> {
  await sandbox.ctx.webhooks.flush();
  return eventsOf(listener.received)
    .filter((event) => event.resource.id === id || event.resource.billing_agreement_id === id)
    .map((event) => ({ type: event.event_type, at: event.create_time }));
}

beforeAll(async () => {
  listener = await startWebhookListener();
});
beforeEach(async () => {
  sandbox = await startPaypalSandbox();
  token = await accessToken(sandbox.url);
  listener.received.length = 0;
  await fetch(`${sandbox.url}/paypal/sandbox/webhooks`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ url: listener.url('/paypal') }) });
  productId = (await paypalCall(sandbox.url, token, 'POST', '/v1/catalogs/products', { name: 'recur Pro', type: 'SERVICE' })).body.id as string;
  return () => sandbox.stop();
});
afterAll(() => listener.close());

describe('PayPal sandbox: billing on the sandbox clock', () => {
  it('a trial, then a charge on day 30 and day 60, each a PAYMENT.SALE.COMPLETED with the billing agreement id', async () => {
    const id = await subscribedAs('pays@payers.recur.test');
    expect((await subscription(id)).billing_info.next_billing_time).toBe(dayIso(30));
    await onDay(29);
    expect((await subscription(id)).billing_info.last_payment).toBeUndefined();
    await onDay(70);
    const info = (await subscription(id)).billing_info;
    expect(info).toMatchObject({ next_billing_time: dayIso(90), failed_payments_count: 0, outstanding_balance: { currency_code: 'EUR', value: '0.00' }, last_payment: { amount: { currency_code: 'EUR', value: '9.99' }, time: dayIso(60) } });
    expect(info.cycle_executions).toEqual([
      expect.objectContaining({ tenure_type: 'TRIAL', cycles_completed: 1, cycles_remaining: 0 }),
      expect.objectContaining({ tenure_type: 'REGULAR', cycles_completed: 2, total_cycles: 0 }),
    ]);
    const sales = (await eventsFor(id)).filter((event) => event.type === 'PAYMENT.SALE.COMPLETED');
    expect(sales.map((sale) => sale.at)).toEqual([dayIso(30), dayIso(60)]);
    const transactions = await paypalCall(sandbox.url, token, 'GET', `/v1/billing/subscriptions/${id}/transactions?start_time=${dayIso(0)}&end_time=${dayIso(70)}`);
    expect((transactions.body.transactions as { time: string }[]).map((transaction) => transaction.time)).toEqual([dayIso(30), dayIso(60)]);
  });

  it('a payer whose renewals fail: PAYMENT.FAILED on day 30, retries 5 days apart, SUSPENDED at the plan threshold of 3', async () => {
    const id = await subscribedAs('renewals-fail@payers.recur.test');
    await onDay(30);
    expect((await subscription(id)).billing_info).toMatchObject({ failed_payments_count: 1, next_billing_time: dayIso(35), outstanding_balance: { value: '9.99' } });
    await onDay(50);
    const suspended = await subscription(id);
    expect(suspended.status).toBe('SUSPENDED');
    expect(suspended.billing_info).toMatchObject({ failed_payments_count: 3, outstanding_balance: { value: '9.99' } });
    expect(suspended.billing_info.next_billing_time).toBeUndefined();
    const events = await eventsFor(id);
    expect(events.filter((event) => event.type === 'BILLING.SUBSCRIPTION.PAYMENT.FAILED').map((event) => event.at)).toEqual([dayIso(30), dayIso(35), dayIso(40)]);
    expect(events.filter((event) => event.type === 'BILLING.SUBSCRIPTION.SUSPENDED').map((event) => event.at)).toEqual([dayIso(40)]);
    expect(events.some((event) => event.type === 'PAYMENT.SALE.COMPLETED')).toBe(false);
  });

  it('fix-funding between retries: the next retry pays the outstanding balance and the count goes back to 0', async () => {
    const id = await subscribedAs('renewals-fail@payers.recur.test');
    await onDay(36);
    expect((await subscription(id)).billing_info).toMatchObject({ failed_payments_count: 2, next_billing_time: dayIso(40) });
    const fixed = await fetch(`${sandbox.url}/paypal/sandbox/subscriptions/${id}/fix-funding`, { method: 'POST' });
    expect(await fixed.json()).toMatchObject({ funding_fixed: true, next_billing_time: dayIso(40) });
    await onDay(61);
    const paid = await subscription(id);
    expect(paid.status).toBe('ACTIVE');
    expect(paid.billing_info).toMatchObject({ failed_payments_count: 0, outstanding_balance: { value: '0.00' }, next_billing_time: dayIso(90), last_payment: { time: dayIso(60) } });
    const sales = (await eventsFor(id)).filter((event) => event.type === 'PAYMENT.SALE.COMPLETED').map((event) => event.at);
    expect(sales).toEqual([dayIso(40), dayIso(60)]);
  });

  it('a suspended subscription activated again is charged its outstanding balance at once', async () => {
    const id = await subscribedAs('renewals-fail@payers.recur.test');
    await onDay(41);
    expect((await subscription(id)).status).toBe('SUSPENDED');
    await fetch(`${sandbox.url}/paypal/sandbox/subscriptions/${id}/fix-funding`, { method: 'POST' });
    expect((await paypalCall(sandbox.url, token, 'POST', `/v1/billing/subscriptions/${id}/activate`, { reason: 'card updated' })).status).toBe(204);
    const active = await subscription(id);
    expect(active.status).toBe('ACTIVE');
    expect(active.billing_info).toMatchObject({ outstanding_balance: { value: '0.00' }, last_payment: { time: dayIso(41) }, next_billing_time: dayIso(60) });
  });

  it('lists subscriptions by plan and status through the SDK (what reconciliation reads)', async () => {
    const paying = await subscribedAs('pays@payers.recur.test');
    const failing = await subscribedAs('renewals-fail@payers.recur.test');
    await onDay(41);
    const subscriptions = new SubscriptionsController(paypalSdk(sandbox.url));
    const planOf = async (id: string) => (await subscription(id)) as unknown as { plan_id: string };
    const plans = [(await planOf(paying)).plan_id, (await planOf(failing)).plan_id].join(',');
    const { result: all } = await subscriptions.listSubscriptions({ planIds: plans });
    expect(all.subscriptions!.map((listed) => listed.id).sort()).toEqual([paying, failing].sort());
    const { result: suspended } = await subscriptions.listSubscriptions({ planIds: plans, statuses: 'SUSPENDED' });
    expect(suspended.subscriptions!.map((listed) => [listed.id, listed.status])).toEqual([[failing, 'SUSPENDED']]);
    const { result: page } = await subscriptions.listSubscriptions({ planIds: plans, pageSize: 1, page: 2 });
    expect(page.subscriptions).toHaveLength(1);
  });
});
