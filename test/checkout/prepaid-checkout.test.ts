import { afterEach, describe, expect, it } from 'vitest';
import { waitUntilSettled } from '../stripe/running-recur.ts';
import { completeCheckout, DAY_S, startChangeKit, type ChangeKit } from '../subscription-changes/change-kit.ts';
import { testDatabaseKinds } from '../support/test-database.ts';

const DAY_MS = DAY_S * 1000;
const SHOP = 'https://shop.example/account';
const form = (fields: Record<string, string>) => ({ method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(fields).toString(), redirect: 'manual' as const });

type Terms = { trial_days: number; due_today: { amount_minor: number; currency: string }; periods?: number; prepaid_from?: string; prepaid_until?: string; trial_refused: unknown };
type Started = { url: string; session_id: string; terms: Terms };
type PrepaidPeriodJson = { id: string; provider_payment_id: string; plan: string; periods: number; starts_at: string; ends_at: string; amount: { amount_minor: number; currency: string }; payment_status: string };

/** The HTTP calls of these tests, on one running recur and its sandbox. */
function calls(kit: ChangeKit) {
  const { api } = kit;
  const prepay = async (customer: string, plan: string, periods?: number) => {
    const response = await api('POST', '/v1/checkout', { customer, plan, provider: 'stripe', mode: 'one_time', ...(periods ? { periods } : {}), return_url: SHOP });
    if (response.status !== 201) throw new Error(`prepay: ${response.status} ${await response.text()}`);
    return (await response.json()) as Started;
  };
  /** The sandbox's hosted page paid with Visa, as a browser posts it: the redirect to recur's return route. */
  const payOnPage = async (url: string) => {
    const paid = await fetch(url, form({ card: 'pm_card_visa', action: 'pay' }));
    expect(paid.status).toBe(303);
    return paid.headers.get('location')!;
  };
  const followReturn = async (returnUrl: string) => {
    const back = await fetch(returnUrl, { redirect: 'manual' });
    expect(back.status).toBe(303);
    return new URL(back.headers.get('location')!);
  };
  const entitlement = async (customer: string) => (await (await api('GET', `/v1/customers/${customer}/entitlement`)).json()) as Record<string, unknown>;
  const prepaidPeriods = async (customer: string) => (await (await api('GET', `/v1/customers/${customer}/prepaid-periods`)).json()) as { data: PrepaidPeriodJson[]; paid_until: string | null };
  return { prepay, payOnPage, followReturn, entitlement, prepaidPeriods };
}

describe.each(testDatabaseKinds)('one-time prepaid checkout at Stripe (%s)', (kind) => {
  let kit: ChangeKit | undefined;
  afterEach(async () => {
    await kit?.recur.close();
    kit = undefined;
  }, 120_000);

  it('prepays 12 months, records them at the return, and auto-renew afterwards charges nothing before the paid date', async () => {
    kit = await startChangeKit(kind);
    const { api, recur } = kit;
    const stripe = recur.kit.stripe;
    const { prepay, payOnPage, followReturn, entitlement, prepaidPeriods } = calls(kit);
    expect((await api('POST', '/v1/customers', { external_id: 'shop-8001', email: 'prepaid@example.nl', locale: 'en' })).status).toBe(201);
    const start = recur.t.ctx.clock.now();
    const yearLater = new Date(Date.UTC(start.getUTCFullYear() + 1, start.getUTCMonth(), start.getUTCDate(), start.getUTCHours(), start.getUTCMinutes(), start.getUTCSeconds()));

    const started = await prepay('shop-8001', 'monthly', 12);
    expect(started.terms).toMatchObject({ trial_days: 0, trial_refused: null, due_today: { amount_minor: 12 * 2999, currency: 'EUR' }, periods: 12, prepaid_from: start.toISOString(), prepaid_until: yearLater.toISOString() });
    const session = await stripe.checkout.sessions.retrieve(started.session_id, { expand: ['line_items'] });
    expect([session.mode, session.amount_total, session.currency, session.metadata]).toEqual(['payment', 35988, 'eur', { recur_customer_id: expect.any(String), recur_plan_id: 'monthly', recur_periods: '12' }]);
    expect(session.line_items!.data.map((item) => [item.quantity, item.price?.unit_amount, item.price?.recurring])).toEqual([[12, 2999, null]]);
    expect(session.custom_text.submit?.message).toContain('It does not renew by itself.');

    // Recorded at the return, before any webhook is processed (the worker is not running yet).
    const shop = await followReturn(await payOnPage(started.url));
    expect(shop.searchParams.get('checkout')).toBe('success');
    const listed = await prepaidPeriods('shop-8001');
    expect(listed).toEqual({ paid_until: yearLater.toISOString(), has_more: false, next_cursor: null, data: [expect.objectContaining({ id: shop.searchParams.get('prepaid_period'), plan: 'monthly', periods: 12, starts_at: start.toISOString(), ends_at: yearLater.toISOString(), amount: { amount_minor: 35988, currency: 'EUR' }, payment_status: 'succeeded' })] });
    const intent = await stripe.paymentIntents.retrieve(listed.data[0]!.provider_payment_id);
    expect([intent.amount, intent.status, intent.id]).toEqual([35988, 'succeeded', (await stripe.checkout.sessions.retrieve(started.session_id)).payment_intent]);
    const payments = await recur.t.ctx.db.query<{ kind: string; amount: number; subscription_id: string | null }>('SELECT kind, amount_minor::int AS amount, subscription_id FROM payments');
    expect(payments.rows).toEqual([{ kind: 'one_time', amount: 35988, subscription_id: null }]);
    expect(await entitlement('shop-8001')).toMatchObject({ entitled: true, reason: 'prepaid', until: yearLater.toISOString(), subscription_id: null, prepaid_period_id: listed.data[0]!.id });

    // The paid time is not sold twice: a subscription checkout now is refused, pointing to auto-renew.
    const refused = await api('POST', '/v1/checkout', { customer: 'shop-8001', plan: 'monthly', provider: 'stripe', return_url: SHOP });
    expect(refused.status).toBe(409);
    expect(((await refused.json()) as { error: { message: string } }).error.message).toContain('/v1/customers/shop-8001/auto-renew');

    // The checkout's webhooks confirm what the return recorded: still one period, one payment.
    await recur.startWorker();
    await waitUntilSettled(recur);
    expect((await prepaidPeriods('shop-8001')).data).toEqual(listed.data);
    expect((await recur.t.ctx.db.query<{ n: number }>('SELECT count(*)::int AS n FROM payments')).rows[0]!.n).toBe(1);
    const completed = await recur.t.ctx.db.query<{ status: string }>("SELECT status FROM webhook_inbox WHERE type = 'checkout.session.completed'");
    expect(completed.rows).toEqual([{ status: 'processed' }]);

    // Auto-renew without paid_until: a trial until the end of the prepaid time (no card on file: a checkout).
    const enabled = await api('POST', '/v1/customers/shop-8001/auto-renew', { plan: 'monthly', return_url: SHOP });
    expect(enabled.status).toBe(201);
    const renewal = (await enabled.json()) as { status: string; url: string };
    expect(renewal.status).toBe('checkout_required');
    const subscription = await completeCheckout(recur, api, renewal.url, 'shop-8001');
    expect(subscription).toMatchObject({ status: 'trialing', plan: 'monthly', trial_end: yearLater.toISOString() });
    // The customer paid for the year: the confirmation speaks of time paid for, not of a free trial.
    const confirmations = await recur.t.ctx.db.query<{ payload: { trial_paid?: boolean } }>("SELECT payload FROM notification_outbox WHERE template = 'enrolment-confirmation' AND subscription_id = $1", [subscription.id]);
    expect(confirmations.rows.map((row) => row.payload.trial_paid)).toEqual([true]);
    const customerId = String((await stripe.subscriptions.retrieve(subscription.provider_subscription_id)).customer);

    // The day before the paid date: nothing charged beyond the prepaid payment.
    const daysToDate = Math.round((yearLater.getTime() - recur.t.ctx.clock.now().getTime()) / DAY_MS);
    await kit.advance({ days: daysToDate - 1 });
    await waitUntilSettled(recur);
    const charged = async () => (await stripe.paymentIntents.list({ customer: customerId, limit: 100 })).data.filter((pi) => pi.status === 'succeeded').map((pi) => pi.amount);
    expect(await charged()).toEqual([35988]);
    expect((await stripe.invoices.list({ customer: customerId, limit: 100 })).data.filter((invoice) => invoice.amount_paid > 0)).toEqual([]);
    expect(await entitlement('shop-8001')).toMatchObject({ entitled: true, reason: 'prepaid', until: yearLater.toISOString() });

    // Past the date: the first renewal, for the period that starts on it.
    await kit.advance({ days: 2 });
    await waitUntilSettled(recur);
    expect((await charged()).sort()).toEqual([2999, 35988]);
    const paid = (await stripe.invoices.list({ customer: customerId, limit: 100 })).data.filter((invoice) => invoice.amount_paid > 0);
    expect(paid.map((invoice) => [invoice.amount_paid, invoice.period_end])).toEqual([[2999, yearLater.getTime() / 1000]]);
    expect(await entitlement('shop-8001')).toMatchObject({ entitled: true, reason: 'active', subscription_id: subscription.id });
  }, 180_000);

  it('records a purchase once whoever comes first, extends running time, gives no time for a refunded payment, and ends at the date', async () => {
    kit = await startChangeKit(kind);
    const { api, recur } = kit;
    const stripe = recur.kit.stripe;
    const { prepay, payOnPage, followReturn, entitlement, prepaidPeriods } = calls(kit);
    expect((await api('POST', '/v1/customers', { external_id: 'shop-8002', email: 'twice@example.nl', locale: 'nl' })).status).toBe(201);

    const first = await prepay('shop-8002', 'monthly');
    expect(first.terms).toMatchObject({ periods: 1, due_today: { amount_minor: 2999 } });
    expect((await followReturn(await payOnPage(first.url))).searchParams.get('checkout')).toBe('success');
    const firstEnd = (await prepaidPeriods('shop-8002')).paid_until!;

    // Paid, but the browser never came back and no webhook was processed: the next checkout records it first.
    const second = await prepay('shop-8002', 'monthly', 2);
    expect(second.terms.prepaid_from).toBe(firstEnd);
    const secondReturn = await payOnPage(second.url);
    const third = await prepay('shop-8002', 'monthly', 1);
    const afterSecond = await prepaidPeriods('shop-8002');
    expect(afterSecond.data.map((period) => [period.periods, period.starts_at])).toEqual([[1, expect.any(String)], [2, firstEnd]]);
    expect(third.terms.prepaid_from).toBe(afterSecond.paid_until);

    // Then the webhooks, then the late return: the same row each time.
    await recur.startWorker();
    await waitUntilSettled(recur);
    const back = await followReturn(secondReturn);
    expect([back.searchParams.get('checkout'), back.searchParams.get('prepaid_period')]).toEqual(['success', afterSecond.data[1]!.id]);
    expect((await prepaidPeriods('shop-8002')).data).toEqual(afterSecond.data);

    // A refund of the second payment (charge.refunded) marks its one_time row; that time is no longer given.
    await stripe.refunds.create({ payment_intent: afterSecond.data[1]!.provider_payment_id });
    await waitUntilSettled(recur);
    const refunded = await recur.t.ctx.db.query<{ kind: string; status: string; refunded: number }>('SELECT kind, status, amount_refunded_minor::int AS refunded FROM payments WHERE provider_payment_id = $1', [afterSecond.data[1]!.provider_payment_id]);
    expect(refunded.rows).toEqual([{ kind: 'one_time', status: 'refunded', refunded: 5998 }]);
    expect(await prepaidPeriods('shop-8002')).toMatchObject({ paid_until: firstEnd, data: [{ payment_status: 'succeeded' }, { payment_status: 'refunded' }] });
    expect(await entitlement('shop-8002')).toMatchObject({ entitled: true, reason: 'prepaid', until: firstEnd });

    // Past the paid date: no access, auto-renew has no prepaid time to follow, and a new subscription has no free trial.
    await kit.advance({ days: Math.ceil((Date.parse(firstEnd) - recur.t.ctx.clock.now().getTime()) / DAY_MS) });
    await waitUntilSettled(recur);
    expect(await entitlement('shop-8002')).toMatchObject({ entitled: false, reason: 'no_subscription' });
    const noPrepaid = await api('POST', '/v1/customers/shop-8002/auto-renew', { plan: 'monthly', return_url: SHOP });
    expect(noPrepaid.status).toBe(422);
    expect(((await noPrepaid.json()) as { error: { code: string } }).error.code).toBe('no_prepaid_period');
    const subscribing = await api('POST', '/v1/checkout', { customer: 'shop-8002', plan: 'monthly', provider: 'stripe', return_url: SHOP });
    expect(subscribing.status).toBe(201);
    expect(((await subscribing.json()) as Started).terms).toMatchObject({ trial_days: 0, trial_refused: { reason: 'prepaid_before', prepaid_period_id: afterSecond.data[0]!.id } });
  }, 180_000);

  it('refuses what cannot be sold, with nothing written, and guards its routes', async () => {
    kit = await startChangeKit(kind);
    const { api } = kit;
    const subscriber = await kit.subscribe('shop-8003', 'monthly');
    expect((await api('POST', '/v1/customers', { external_id: 'shop-8004', email: 'far@example.nl', locale: 'en' })).status).toBe(201);
    const body = (customer: string, extra: Record<string, unknown>) => ({ customer, plan: 'yearly', provider: 'stripe', mode: 'one_time', return_url: SHOP, ...extra });

    expect(await kit.expectNothingWritten(() => api('POST', '/v1/checkout', body('shop-8003', {})), 409, 'conflict')).toContain(`already has a trialing subscription (${subscriber.id})`);
    expect(await kit.expectNothingWritten(() => api('POST', '/v1/checkout', body('shop-8004', { periods: 3 })), 400, 'validation_failed')).toMatch(/within 730 days/);
    await kit.expectNothingWritten(() => api('POST', '/v1/checkout', { ...body('shop-8004', { periods: 2 }), mode: 'subscription' }), 400, 'validation_failed');
    await kit.expectNothingWritten(() => api('POST', '/v1/checkout', body('shop-8004', { periods: 0 })), 400, 'validation_failed');
    expect((await api('GET', '/v1/customers/shop-8004/prepaid-periods', undefined, null)).status).toBe(401);
    expect((await api('GET', '/v1/customers/shop-unknown/prepaid-periods')).status).toBe(404);
    expect(await (await api('GET', '/v1/customers/shop-8004/prepaid-periods')).json()).toEqual({ data: [], has_more: false, next_cursor: null, paid_until: null });
  }, 120_000);

  it('records a purchase from the checkout webhook when it comes before the return, and the return then finds it', async () => {
    kit = await startChangeKit(kind);
    const { api, recur } = kit;
    const { prepay, payOnPage, followReturn, prepaidPeriods } = calls(kit);
    expect((await api('POST', '/v1/customers', { external_id: 'shop-8005', email: 'hook@example.nl', locale: 'en' })).status).toBe(201);
    await recur.startWorker();
    const started = await prepay('shop-8005', 'yearly');
    expect(started.terms).toMatchObject({ periods: 1, due_today: { amount_minor: 29990, currency: 'EUR' } });
    const returnUrl = await payOnPage(started.url);
    await waitUntilSettled(recur);
    const recorded = await prepaidPeriods('shop-8005');
    expect(recorded.data.map((period) => [period.plan, period.periods, period.amount.amount_minor])).toEqual([['yearly', 1, 29990]]);
    const audit = await recur.t.ctx.db.query<{ actor: string }>("SELECT actor FROM audit_log WHERE action = 'prepaid_period_recorded'");
    expect(audit.rows).toEqual([{ actor: expect.stringMatching(/^webhook:stripe:evt_/) }]);
    const back = await followReturn(returnUrl);
    expect([back.searchParams.get('checkout'), back.searchParams.get('prepaid_period')]).toEqual(['success', recorded.data[0]!.id]);
    expect(await prepaidPeriods('shop-8005')).toEqual(recorded);
  }, 120_000);
});
