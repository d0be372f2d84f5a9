import { OrdersController, SubscriptionsController } from '@paypal/paypal-server-sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listAuditEntries } from '../../src/db/repositories/audit-log-repository.ts';
import { findProviderCustomerId } from '../../src/db/repositories/provider-customer-repository.ts';
import { approveAs } from '../sandbox/paypal/paypal-kit.ts';
import { seedCustomer, seedSubscription } from '../support/seed.ts';
import { testDatabaseKinds } from '../support/test-database.ts';
import { PUBLIC_BASE_URL, SHOP_NAME, startPaypalTestApp, type PaypalTestApp } from './paypal-test-kit.ts';

const PAYS = 'pays@payers.recur.test';
const DAY_MS = 86_400_000;

describe.each(testDatabaseKinds)('PayPal subscription checkout and the return on %s', (kind) => {
  let kit: PaypalTestApp;
  let subscriptions: SubscriptionsController;
  beforeAll(async () => {
    kit = await startPaypalTestApp(kind, { withStripe: true });
    subscriptions = new SubscriptionsController(kit.paypal);
  }, 60_000);
  afterAll(() => kit.stop());

  const api = (method: 'GET' | 'POST', url: string, payload?: Record<string, unknown>) => kit.t.app.inject({ method, url, headers: { authorization: kit.t.auth }, ...(payload === undefined ? {} : { payload }) });
  const checkout = (customer: string, plan: string, provider = 'paypal') => api('POST', '/v1/checkout', { customer, plan, provider, return_url: 'https://shop.example/account?tab=plan' });
  const back = (location: string) => kit.t.app.inject({ method: 'GET', url: location.replace(PUBLIC_BASE_URL, '') });

  /** Checkout, approval on PayPal's hosted page by `payer`, and the browser's way back through recur to the shop. */
  async function subscribe(customer: string, plan: string, payer = PAYS) {
    const started = await checkout(customer, plan);
    expect(started.statusCode).toBe(201);
    const { url, session_id: paypalId } = started.json() as { url: string; session_id: string };
    const approved = await approveAs(url, payer);
    expect(approved.status).toBe(302);
    const location = approved.headers.get('location')!;
    expect(location.startsWith(`${PUBLIC_BASE_URL}/checkout/paypal/return?subscription_id=${paypalId}&`)).toBe(true);
    const returned = await back(location);
    expect(returned.statusCode).toBe(303);
    const shop = new URL(returned.headers.location as string);
    return { started, paypalId, location, returned, shop, subscriptionId: shop.searchParams.get('subscription') };
  }

  it('a new customer: approve link, the trial plan, the payer linked at the return, trialing at once with PayPal\'s trial end', async () => {
    const customerId = await seedCustomer(kit.t, 'pp-1001', { name: 'Sanne Bakker', locale: 'nl' });
    const { started, paypalId, location, returned, shop, subscriptionId } = await subscribe('pp-1001', 'monthly');
    expect(started.json().url).toBe(`${kit.sandbox.url}/paypal/webapps/billing/subscriptions?ba_token=${new URL(started.json().url as string).searchParams.get('ba_token')}`);
    expect(started.json().terms).toMatchObject({ plan: 'monthly', trial_days: 30, trial_refused: null });

    const atPaypal = (await subscriptions.getSubscription({ id: paypalId })).result;
    expect(atPaypal).toMatchObject({ status: 'ACTIVE', customId: customerId });
    const plan = (await subscriptions.getBillingPlan(atPaypal.planId!)).result;
    expect(plan).toMatchObject({ description: 'recur_monthly', productId: 'recur-subscriptions' });
    expect(plan.billingCycles?.map((cycle) => String(cycle.tenureType))).toEqual(['TRIAL', 'REGULAR']);

    expect(shop.origin + shop.pathname).toBe('https://shop.example/account');
    expect([shop.searchParams.get('tab'), shop.searchParams.get('checkout')]).toEqual(['plan', 'success']);
    expect(await findProviderCustomerId(kit.t.ctx.db, customerId, 'paypal')).toBe(atPaypal.subscriber?.payerId);

    const trialEnd = new Date(kit.t.ctx.clock.now().getTime() + 30 * DAY_MS).toISOString();
    expect(new Date(atPaypal.billingInfo!.nextBillingTime!).toISOString()).toBe(trialEnd);
    const read = (await api('GET', `/v1/subscriptions/${subscriptionId}`)).json();
    expect(read).toMatchObject({ provider: 'paypal', status: 'trialing', plan: 'monthly', provider_status: 'ACTIVE:TRIAL', trial_end: trialEnd, current_period_end: trialEnd, cancel_at_period_end: false });
    const entitlement = (await api('GET', '/v1/customers/pp-1001/entitlement')).json();
    expect(entitlement).toMatchObject({ entitled: true, reason: 'trialing', until: trialEnd, subscription_id: subscriptionId });
    expect((await listAuditEntries(kit.t.ctx.db, 'customer', customerId)).map((entry) => entry.action)).toEqual(['create', 'checkout_started', 'checkout_completed']);

    // The browser comes back again (a reload): the same answer, nothing new.
    expect((await back(location)).headers.location).toBe(returned.headers.location);
  });

  it('the approval page names the shop, speaks the customer\'s language and returns to recur', async () => {
    await seedCustomer(kit.t, 'pp-1002', { locale: 'nl' });
    const { url, session_id: paypalId } = (await checkout('pp-1002', 'yearly')).json() as { url: string; session_id: string };
    expect(await (await fetch(url)).text()).toContain(`Merchant: ${SHOP_NAME}`);
    const pending = (await subscriptions.getSubscription({ id: paypalId })).result;
    expect(pending).toMatchObject({ status: 'APPROVAL_PENDING' });
    // Not approved yet: the return says pending and records nothing.
    const early = await back(`${PUBLIC_BASE_URL}/checkout/paypal/return?subscription_id=${paypalId}`);
    expect(new URL(early.headers.location as string).searchParams.get('checkout')).toBe('pending');
    expect((await api('GET', '/v1/customers/pp-1002/entitlement')).json()).toMatchObject({ entitled: false });
  });

  it('a returning customer gets no second trial: the plan\'s twin without the trial cycle, active and charged at once', async () => {
    const customerId = await seedCustomer(kit.t, 'pp-1003');
    await seedSubscription(kit.t, customerId, { provider: 'stripe', providerSubscriptionId: 'sub_ended_pp1003', status: 'canceled', providerStatus: 'canceled', canceledAt: kit.t.clock.now() });
    const { started, paypalId, subscriptionId } = await subscribe('pp-1003', 'monthly');
    expect(started.json().terms).toMatchObject({ trial_days: 0, due_today: { amount_minor: 2999, currency: 'EUR' } });
    const atPaypal = (await subscriptions.getSubscription({ id: paypalId })).result;
    expect((await subscriptions.getBillingPlan(atPaypal.planId!)).result).toMatchObject({ description: 'recur_monthly:no-trial' });
    const read = (await api('GET', `/v1/subscriptions/${subscriptionId}`)).json();
    expect(read).toMatchObject({ status: 'active', plan: 'monthly', trial_end: null });
    const payments = (await kit.t.ctx.db.query<{ amount_minor: number; status: string; provider: string }>('SELECT amount_minor::int AS amount_minor, status, provider FROM payments WHERE customer_id = $1', [customerId])).rows;
    expect(payments).toEqual([{ amount_minor: 2999, status: 'succeeded', provider: 'paypal' }]);
  });

  it('one live subscription across providers: a live Stripe one refuses a PayPal checkout, a live PayPal one a Stripe checkout', async () => {
    const stripeCustomer = await seedCustomer(kit.t, 'pp-1004');
    await seedSubscription(kit.t, stripeCustomer, { provider: 'stripe', providerSubscriptionId: 'sub_live_pp1004', status: 'active', providerStatus: 'active' });
    const refused = await checkout('pp-1004', 'monthly');
    expect([refused.statusCode, refused.json().error.code]).toEqual([409, 'conflict']);

    await seedCustomer(kit.t, 'pp-1005');
    await subscribe('pp-1005', 'monthly');
    const viaStripe = await checkout('pp-1005', 'yearly', 'stripe');
    expect([viaStripe.statusCode, viaStripe.json().error.code]).toEqual([409, 'conflict']);
    expect(viaStripe.json().error.message).toContain('paypal');
  });

  it('one open checkout per customer: a second checkout cancels the first approval-pending subscription at PayPal', async () => {
    await seedCustomer(kit.t, 'pp-1006');
    const first = (await checkout('pp-1006', 'monthly')).json() as { session_id: string; url: string };
    const second = (await checkout('pp-1006', 'yearly')).json() as { session_id: string };
    expect(second.session_id).not.toBe(first.session_id);
    expect((await subscriptions.getSubscription({ id: first.session_id })).result.status).toBe('CANCELLED');
    expect((await subscriptions.getSubscription({ id: second.session_id })).result.status).toBe('APPROVAL_PENDING');
    expect((await fetch(first.url)).status).toBe(404);
    const rows = (await kit.t.ctx.db.query<{ provider_session_id: string; status: string }>("SELECT provider_session_id, status FROM checkout_sessions WHERE provider = 'paypal' AND provider_session_id = ANY($1::text[])", [[first.session_id, second.session_id]])).rows;
    expect(Object.fromEntries(rows.map((row) => [row.provider_session_id, row.status]))).toEqual({ [first.session_id]: 'expired', [second.session_id]: 'open' });
  });

  it('a buyer who approved and closed the tab before the return: the next checkout records that subscription and refuses a second', async () => {
    await seedCustomer(kit.t, 'pp-1008');
    const { url, session_id: paypalId } = (await checkout('pp-1008', 'monthly')).json() as { url: string; session_id: string };
    expect((await approveAs(url, PAYS)).status).toBe(302);
    const again = await checkout('pp-1008', 'yearly');
    expect([again.statusCode, again.json().error.code]).toEqual([409, 'conflict']);
    const rows = (await kit.t.ctx.db.query<{ status: string }>("SELECT status FROM subscriptions WHERE provider = 'paypal' AND provider_subscription_id = $1", [paypalId])).rows;
    expect(rows).toEqual([{ status: 'trialing' }]);
  });

  it('an order approved by a buyer who closed the tab: the next checkout captures and records it first, and the new prepaid time follows it', async () => {
    await seedCustomer(kit.t, 'pp-1009');
    const prepay = (periods: number) => api('POST', '/v1/checkout', { customer: 'pp-1009', plan: 'monthly', provider: 'paypal', mode: 'one_time', periods, return_url: 'https://shop.example/account' });
    const first = (await prepay(2)).json() as { url: string; session_id: string; terms: { prepaid_until: string } };
    expect((await approveAs(first.url, PAYS)).status).toBe(302);
    const orders = new OrdersController(kit.paypal);
    expect((await orders.getOrder({ id: first.session_id })).result.status).toBe('APPROVED');

    const second = await prepay(1);
    expect(second.statusCode).toBe(201);
    const captured = (await orders.getOrder({ id: first.session_id })).result;
    expect([captured.status, captured.purchaseUnits?.[0]?.payments?.captures?.length]).toEqual(['COMPLETED', 1]);
    const periods = (await api('GET', '/v1/customers/pp-1009/prepaid-periods')).json() as { data: { provider_payment_id: string; periods: number; ends_at: string }[] };
    expect(periods.data).toEqual([expect.objectContaining({ provider_payment_id: captured.purchaseUnits![0]!.payments!.captures![0]!.id, periods: 2, ends_at: first.terms.prepaid_until })]);
    expect(second.json().terms).toMatchObject({ periods: 1, prepaid_from: first.terms.prepaid_until });
    const malformed = await back(`${PUBLIC_BASE_URL}/checkout/paypal/return?token=EC-NOTANORDER1`);
    expect(malformed.statusCode).toBe(400);
  });

  it('a return for a subscription opened for another customer, or unknown to recur, writes nothing', async () => {
    await seedCustomer(kit.t, 'pp-1007');
    const unknown = await back(`${PUBLIC_BASE_URL}/checkout/paypal/return?subscription_id=I-UNKNOWN00001`);
    expect(unknown.statusCode).toBe(404);
    const malformed = await back(`${PUBLIC_BASE_URL}/checkout/paypal/return?subscription_id=cs_nope`);
    expect(malformed.statusCode).toBe(400);
  });
});
