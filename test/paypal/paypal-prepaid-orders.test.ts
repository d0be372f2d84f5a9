import { afterEach, describe, expect, it } from 'vitest';
import { accessToken, approveAs, linkOf, paypalCall, sandboxStart } from '../sandbox/paypal/paypal-kit.ts';
import { seedCustomer } from '../support/seed.ts';
import { testDatabaseKinds } from '../support/test-database.ts';
import { onDay, PAYS, startPaypalRecur, type PaypalRecur } from './events/paypal-events-kit.ts';

const SHOP = 'https://shop.example/account';
const DECLINES = 'declines@payers.recur.test';
/** Twelve calendar months after the sandbox's start (2026-03-01T10:00Z): 365 days, 2026 has no 29 February. */
const YEAR_LATER = new Date('2027-03-01T10:00:00.000Z');

type PrepaidPeriodJson = { id: string; provider: string; provider_payment_id: string; plan: string; periods: number; starts_at: string; ends_at: string; amount: { amount_minor: number; currency: string }; payment_status: string };

describe.each(testDatabaseKinds)('prepaid time through a PayPal order (%s)', (kind) => {
  let recur: PaypalRecur | undefined;
  afterEach(async () => {
    await recur?.close();
    recur = undefined;
  }, 120_000);

  const api = async (method: 'GET' | 'POST', url: string, payload?: Record<string, unknown>) => {
    const response = await recur!.t.app.inject({ method, url, headers: { authorization: recur!.t.auth }, ...(payload === undefined ? {} : { payload }) });
    return { status: response.statusCode, body: response.json() as Record<string, unknown> & { error?: { code: string; message: string } } };
  };
  const order = async (id: string) => (await paypalCall(recur!.sandbox.url, await accessToken(recur!.sandbox.url), 'GET', `/v2/checkout/orders/${id}`)).body as { status: string; purchase_units: { custom_id?: string; reference_id: string; description: string; amount: { value: string; currency_code: string }; payments?: { captures: { id: string; status: string }[] } }[] };
  const captures = async (id: string) => (await order(id)).purchase_units[0]!.payments?.captures ?? [];
  const prepaidPeriods = async (customer: string) => (await api('GET', `/v1/customers/${customer}/prepaid-periods`)).body as unknown as { data: PrepaidPeriodJson[]; paid_until: string | null };
  const entitlement = async (customer: string) => (await api('GET', `/v1/customers/${customer}/entitlement`)).body;
  /** The browser following a redirect to recur's return route: recur's answer (303 to the shop). */
  const follow = (location: string) => fetch(location, { redirect: 'manual' });
  const prepay = async (customer: string, periods: number) => {
    const started = await api('POST', '/v1/checkout', { customer, plan: 'monthly', provider: 'paypal', mode: 'one_time', periods, return_url: SHOP });
    expect(started.status).toBe(201);
    return started.body as { url: string; session_id: string; terms: Record<string, unknown> };
  };

  it('a 12-month order: approved on PayPal\'s page, captured once at the return, prepaid until the paid date; auto-renew through PayPal charges nothing before it and the plan\'s price on it', async () => {
    recur = await startPaypalRecur(kind);
    const customerId = await seedCustomer(recur.t, 'pp-order-1', { locale: 'en' });

    const started = await prepay('pp-order-1', 12);
    expect(started.terms).toMatchObject({ trial_days: 0, due_today: { amount_minor: 12 * 2999, currency: 'EUR' }, periods: 12, prepaid_from: sandboxStart.toISOString(), prepaid_until: YEAR_LATER.toISOString() });
    expect(started.url).toBe(`${recur.sandbox.url}/paypal/checkoutnow?token=${started.session_id}`);
    const created = await order(started.session_id);
    expect(created.status).toBe('PAYER_ACTION_REQUIRED');
    expect(created.purchase_units[0]).toMatchObject({ custom_id: customerId, reference_id: 'prepaid:monthly:12', amount: { value: '359.88', currency_code: 'EUR' } });
    expect(created.purchase_units[0]!.description).toContain('12 months prepaid');

    const approved = await approveAs(started.url, PAYS);
    expect(approved.status).toBe(302);
    const location = approved.headers.get('location')!;
    expect(location.startsWith(`${recur.baseUrl}/checkout/paypal/return?`)).toBe(true);
    expect(new URL(location).searchParams.get('token')).toBe(started.session_id);

    const back = await follow(location);
    expect(back.status).toBe(303);
    const shop = new URL(back.headers.get('location')!);
    expect([shop.origin + shop.pathname, shop.searchParams.get('checkout')]).toEqual([SHOP, 'success']);
    const listed = await prepaidPeriods('pp-order-1');
    const [captured] = await captures(started.session_id);
    expect(listed).toEqual({
      paid_until: YEAR_LATER.toISOString(),
      data: [expect.objectContaining({ id: shop.searchParams.get('prepaid_period'), provider: 'paypal', provider_payment_id: captured!.id, plan: 'monthly', periods: 12, starts_at: sandboxStart.toISOString(), ends_at: YEAR_LATER.toISOString(), amount: { amount_minor: 35988, currency: 'EUR' }, payment_status: 'succeeded' })],
      has_more: false,
      next_cursor: null,
    });
    expect(await entitlement('pp-order-1')).toMatchObject({ entitled: true, reason: 'prepaid', until: YEAR_LATER.toISOString() });

    // A reload of the return, and the order's own events: one capture at PayPal, one period, one payment.
    expect((await follow(location)).headers.get('location')).toBe(back.headers.get('location'));
    await recur.settle();
    expect((await captures(started.session_id)).length).toBe(1);
    expect((await prepaidPeriods('pp-order-1')).data).toEqual(listed.data);
    const payments = await recur.t.ctx.db.query<{ kind: string; amount: number; provider: string }>('SELECT kind, amount_minor::int AS amount, provider FROM payments WHERE customer_id = $1', [customerId]);
    expect(payments.rows).toEqual([{ kind: 'one_time', amount: 35988, provider: 'paypal' }]);

    // Auto-renew: the provider of the prepaid purchase, a subscription starting at the paid date for the buyer to approve.
    // PayPal holds no card recur could use: the buyer must approve, so a return URL is required.
    const withoutReturn = await api('POST', '/v1/customers/pp-order-1/auto-renew', { plan: 'monthly', provider: 'paypal' });
    expect([withoutReturn.status, withoutReturn.body.error?.code]).toEqual([400, 'validation_failed']);
    expect(withoutReturn.body.error?.message).toContain('PayPal');
    const renew = await api('POST', '/v1/customers/pp-order-1/auto-renew', { plan: 'monthly', return_url: SHOP });
    expect(renew.status).toBe(201);
    expect(renew.body).toMatchObject({ status: 'checkout_required' });
    const paypalSubscription = renew.body['session_id'] as string;
    expect(await (await fetch(renew.body['url'] as string)).text()).toContain('first payment on 2027-03-01');
    const subscribed = await approveAs(renew.body['url'] as string, PAYS);
    expect(subscribed.status).toBe(302);
    const renewed = new URL((await follow(subscribed.headers.get('location')!)).headers.get('location')!);
    expect(renewed.searchParams.get('checkout')).toBe('success');
    const token = await accessToken(recur.sandbox.url);
    const atPaypal = (await paypalCall(recur.sandbox.url, token, 'GET', `/v1/billing/subscriptions/${paypalSubscription}`)).body as { status: string; plan_id: string; custom_id: string; start_time: string; billing_info: { next_billing_time: string } };
    expect([atPaypal.status, atPaypal.custom_id, atPaypal.start_time, atPaypal.billing_info.next_billing_time]).toEqual(['ACTIVE', customerId, '2027-03-01T10:00:00Z', '2027-03-01T10:00:00Z']);
    // No free cycle on top of the paid time: the plan's twin without trial.
    expect((await paypalCall(recur.sandbox.url, token, 'GET', `/v1/billing/plans/${atPaypal.plan_id}`)).body['description']).toBe('recur_monthly:no-trial');
    const subscription = (await api('GET', `/v1/subscriptions/${renewed.searchParams.get('subscription')}`)).body;
    expect(subscription).toMatchObject({ provider: 'paypal', status: 'trialing', provider_status: 'ACTIVE:BEFORE_START', trial_end: YEAR_LATER.toISOString() });
    expect(await entitlement('pp-order-1')).toMatchObject({ entitled: true, reason: 'prepaid', until: YEAR_LATER.toISOString() });

    const sales = async () => {
      const listedSales = await paypalCall(recur!.sandbox.url, token, 'GET', `/v1/billing/subscriptions/${paypalSubscription}/transactions?start_time=2026-01-01T00:00:00Z&end_time=2028-01-01T00:00:00Z`);
      return (listedSales.body['transactions'] as { status: string; amount_with_breakdown: { gross_amount: { value: string } }; time: string }[]).map((sale) => [sale.status, sale.amount_with_breakdown.gross_amount.value, sale.time]);
    };
    await recur.moveToDay(364);
    expect(await sales()).toEqual([]);
    await recur.moveToDay(365);
    expect(await sales()).toEqual([['COMPLETED', '29.99', '2027-03-01T10:00:00Z']]);
    const after = (await api('GET', `/v1/subscriptions/${renewed.searchParams.get('subscription')}`)).body;
    expect(after).toMatchObject({ status: 'active', provider_status: 'ACTIVE' });
    expect(onDay(365).toISOString()).toBe(YEAR_LATER.toISOString());
  }, 180_000);

  it('a buyer who approves and never comes back gets the time once, from the approval event; a refund of the capture takes it back', async () => {
    recur = await startPaypalRecur(kind);
    await seedCustomer(recur.t, 'pp-order-2');
    const started = await prepay('pp-order-2', 3);
    expect((await approveAs(started.url, PAYS)).status).toBe(302);
    await recur.settle();
    const [captured, ...more] = await captures(started.session_id);
    expect([captured?.status, more.length]).toEqual(['COMPLETED', 0]);
    const listed = await prepaidPeriods('pp-order-2');
    expect(listed.data).toEqual([expect.objectContaining({ provider: 'paypal', provider_payment_id: captured!.id, periods: 3, amount: { amount_minor: 3 * 2999, currency: 'EUR' }, payment_status: 'succeeded' })]);
    expect(await entitlement('pp-order-2')).toMatchObject({ entitled: true, reason: 'prepaid' });
    const rows = await recur.t.ctx.db.query<{ status: string }>("SELECT status FROM checkout_sessions WHERE provider = 'paypal' AND provider_session_id = $1", [started.session_id]);
    expect(rows.rows).toEqual([{ status: 'complete' }]);

    const refunded = await paypalCall(recur.sandbox.url, await accessToken(recur.sandbox.url), 'POST', `/v2/payments/captures/${captured!.id}/refund`, {}, { 'PayPal-Request-Id': 'test-refund-pp-order-2' });
    expect(refunded.status).toBe(201);
    await recur.settle();
    expect((await prepaidPeriods('pp-order-2')).data).toEqual([expect.objectContaining({ provider_payment_id: captured!.id, payment_status: 'refunded' })]);
    expect(await entitlement('pp-order-2')).toMatchObject({ entitled: false });
  }, 120_000);

  it('the capture\'s event alone, delivered three times (the approval event lost, the return never made), records the purchase once from PayPal\'s read of the capture and its order', async () => {
    recur = await startPaypalRecur(kind, { dropEventTypes: ['CHECKOUT.ORDER.APPROVED'], duplicateRate: 1, duplicateCopies: 3 });
    const customerId = await seedCustomer(recur.t, 'pp-order-4');
    const started = await prepay('pp-order-4', 6);
    expect((await approveAs(started.url, PAYS)).status).toBe(302);
    // Captured as recur's return does, whose process then died before recording anything.
    const captured = await paypalCall(recur.sandbox.url, await accessToken(recur.sandbox.url), 'POST', `/v2/checkout/orders/${started.session_id}/capture`, {}, { 'PayPal-Request-Id': `recur:capture-order:${started.session_id}` });
    expect(captured.status).toBe(201);
    await recur.settle();
    const inbox = await recur.t.ctx.db.query<{ type: string; status: string }>("SELECT type, status FROM webhook_inbox WHERE provider = 'paypal' AND (type LIKE 'CHECKOUT.ORDER%' OR type LIKE 'PAYMENT.CAPTURE%')");
    expect(inbox.rows).toEqual([{ type: 'PAYMENT.CAPTURE.COMPLETED', status: 'processed' }]);
    const [capture] = await captures(started.session_id);
    const listed = await prepaidPeriods('pp-order-4');
    expect(listed.data).toEqual([expect.objectContaining({ provider: 'paypal', provider_payment_id: capture!.id, periods: 6, starts_at: sandboxStart.toISOString(), amount: { amount_minor: 6 * 2999, currency: 'EUR' }, payment_status: 'succeeded' })]);
    const payments = await recur.t.ctx.db.query<{ kind: string }>('SELECT kind FROM payments WHERE customer_id = $1', [customerId]);
    expect(payments.rows).toEqual([{ kind: 'one_time' }]);
    expect(await entitlement('pp-order-4')).toMatchObject({ entitled: true, reason: 'prepaid', until: listed.paid_until });
  }, 120_000);

  it('refuses what is not the customer\'s: a foreign order at the return, an order superseded by a newer checkout; a declined capture records nothing', async () => {
    recur = await startPaypalRecur(kind);
    const customerId = await seedCustomer(recur.t, 'pp-order-3');
    const token = await accessToken(recur.sandbox.url);

    // An order recur never opened, naming the customer, approved by someone: not captured, nothing written.
    const foreign = await paypalCall(recur.sandbox.url, token, 'POST', '/v2/checkout/orders', {
      intent: 'CAPTURE',
      purchase_units: [{ custom_id: customerId, reference_id: 'prepaid:monthly:12', amount: { currency_code: 'EUR', value: '1.00' } }],
      application_context: { return_url: `${recur.baseUrl}/checkout/paypal/return`, cancel_url: SHOP },
    });
    expect(foreign.status).toBe(201);
    const foreignId = foreign.body['id'] as string;
    const foreignBack = await follow((await approveAs(linkOf(foreign.body, 'approve'), PAYS)).headers.get('location')!);
    expect(foreignBack.status).toBe(404);
    await recur.settle();
    expect((await order(foreignId)).status).toBe('APPROVED');
    expect((await prepaidPeriods('pp-order-3')).data).toEqual([]);

    // Two checkouts: the first is expired by recur's word and never captured, even once approved.
    const first = await prepay('pp-order-3', 1);
    const second = await prepay('pp-order-3', 2);
    const states = await recur.t.ctx.db.query<{ provider_session_id: string; status: string }>("SELECT provider_session_id, status FROM checkout_sessions WHERE provider = 'paypal' AND customer_id = $1", [customerId]);
    expect(Object.fromEntries(states.rows.map((row) => [row.provider_session_id, row.status]))).toEqual({ [first.session_id]: 'expired', [second.session_id]: 'open' });
    const late = new URL((await follow((await approveAs(first.url, PAYS)).headers.get('location')!)).headers.get('location')!);
    expect(late.searchParams.get('checkout')).toBe('canceled');
    await recur.settle();
    expect(await captures(first.session_id)).toEqual([]);

    // The payer's funding declines the capture: the shop hears so, nothing is recorded.
    const declined = new URL((await follow((await approveAs(second.url, DECLINES)).headers.get('location')!)).headers.get('location')!);
    expect(declined.searchParams.get('checkout')).toBe('declined');
    await recur.settle();
    expect(await captures(second.session_id)).toEqual([]);
    expect((await prepaidPeriods('pp-order-3')).data).toEqual([]);
    expect(await entitlement('pp-order-3')).toMatchObject({ entitled: false });
    // That checkout is over: the customer can start another one and pay it.
    const third = await prepay('pp-order-3', 1);
    const paid = new URL((await follow((await approveAs(third.url, PAYS)).headers.get('location')!)).headers.get('location')!);
    expect(paid.searchParams.get('checkout')).toBe('success');
    expect((await prepaidPeriods('pp-order-3')).data).toEqual([expect.objectContaining({ periods: 1, payment_status: 'succeeded' })]);
  }, 120_000);
});
