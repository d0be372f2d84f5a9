import type Stripe from 'stripe';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultCatalogue } from '../../src/config/catalogue-schema.ts';
import type { StripeKit } from '../sandbox/stripe/stripe-kit.ts';
import { seedCustomer, seedSubscription } from '../support/seed.ts';
import type { TestApp } from '../support/test-app.ts';
import { testDatabaseKinds } from '../support/test-database.ts';
import { PUBLIC_BASE_URL, startStripeTestApp, tableCounts } from './stripe-test-kit.ts';

const DAY_MS = 86_400_000;
const form = (fields: Record<string, string>) => ({ method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(fields).toString(), redirect: 'manual' as const });
type Terms = { trial_days: number; trial_refused: { reason: string; subscription_id: string } | null; due_today: { amount_minor: number; currency: string } };

/** The app, its sandbox and the HTTP calls of these tests. */
function useStripeApp(kind: (typeof testDatabaseKinds)[number], trialOnce: boolean) {
  const app = {} as { t: TestApp; kit: StripeKit; stripe: Stripe };
  beforeAll(async () => {
    Object.assign(app, await startStripeTestApp(kind, { catalogue: { ...defaultCatalogue, trial_once_per_customer: trialOnce } }));
  });
  afterAll(async () => {
    await app.t.close();
    await app.kit.stop();
  });
  const post = (url: string, body: Record<string, unknown>) => app.t.app.inject({ method: 'POST', url, headers: { authorization: app.t.auth }, payload: body });
  const checkout = (customer: string, plan = 'monthly') => post('/v1/checkout', { customer, plan, provider: 'stripe', return_url: 'https://shop.example/account' });
  /** A customer with one earlier subscription row, as the provider sync writes it. */
  const returning = async (externalId: string, row: Parameters<typeof seedSubscription>[2]) => {
    const customerId = await seedCustomer(app.t, externalId, { locale: 'en' });
    const now = app.t.clock.now();
    return { customerId, subscriptionId: await seedSubscription(app.t, customerId, { status: 'canceled', providerStatus: 'canceled', canceledAt: now, currentPeriodStart: new Date(now.getTime() - 40 * DAY_MS), currentPeriodEnd: new Date(now.getTime() - 10 * DAY_MS), ...row }) };
  };
  /** Pays on the sandbox's hosted page with Visa and comes back through recur: the subscription recur recorded. */
  const pay = async (url: string) => {
    const paid = await fetch(url, form({ card: 'pm_card_visa', action: 'pay' }));
    expect(paid.status).toBe(303);
    const back = await app.t.app.inject({ method: 'GET', url: paid.headers.get('location')!.replace(PUBLIC_BASE_URL, '') });
    expect(new URL(back.headers.location as string).searchParams.get('checkout')).toBe('success');
    return new URL(back.headers.location as string).searchParams.get('subscription')!;
  };
  return { app, post, checkout, returning, pay };
}

describe.each(testDatabaseKinds)('one live subscription and one free trial per customer, through checkout (%s)', (kind) => {
  const { app, post, checkout, returning, pay } = useStripeApp(kind, true);

  it.each([
    ['trialing', 'stripe', 'trialing'],
    ['active', 'stripe', 'active'],
    ['past_due', 'stripe', 'past_due'],
    ['paused', 'stripe', 'paused'],
    ['incomplete', 'stripe', 'incomplete'],
    ['active', 'paypal', 'ACTIVE'],
  ] as const)('refuses a second subscription next to a %s one at %s with 409 naming it, and creates nothing at Stripe', async (status, provider, providerStatus) => {
    const externalId = `shop-live-${provider}-${status}`;
    const customerId = await seedCustomer(app.t, externalId);
    const live = await seedSubscription(app.t, customerId, { status, provider, providerStatus, trialEnd: status === 'trialing' ? new Date(app.t.clock.now().getTime() + 20 * DAY_MS) : null });
    const counts = await tableCounts(app.t.ctx.db);
    const sessionsBefore = (await app.stripe.checkout.sessions.list({ limit: 100 })).data.length;

    const refused = await checkout(externalId, 'yearly');
    expect(refused.statusCode).toBe(409);
    const { error } = refused.json() as { error: { code: string; message: string; requestId: string; details: Record<string, string> } };
    expect(error).toMatchObject({ code: 'conflict', details: { subscription_id: live }, requestId: expect.any(String) });
    expect(error.message).toMatch(new RegExp(`already has an? ${status} subscription \\(${live}\\)`));
    if (provider === 'stripe') expect(error.message).toContain(`POST /v1/subscriptions/${live}/switch`);
    else expect(error.message).toContain('billed by paypal');

    expect(await tableCounts(app.t.ctx.db)).toEqual(counts);
    expect((await app.stripe.customers.list({ limit: 100 })).data.filter((customer) => customer.metadata['external_id'] === externalId)).toEqual([]);
    expect((await app.stripe.checkout.sessions.list({ limit: 100 })).data).toHaveLength(sessionsBefore);
  });

  it('sells a returning customer (a canceled trial) the plan without a trial: the answer, the hosted page and the first charge say so', async () => {
    const { subscriptionId: earlier } = await returning('shop-back-1', { trialEnd: new Date(app.t.clock.now().getTime() - 10 * DAY_MS) });
    const started = await checkout('shop-back-1');
    expect(started.statusCode).toBe(201);
    const { url, session_id, terms } = started.json() as { url: string; session_id: string; terms: Terms };
    expect(terms).toEqual({ plan: 'monthly', price: { amount_minor: 2999, currency: 'EUR' }, interval: 'month', trial_days: 0, trial_refused: { reason: 'trial_used', subscription_id: earlier }, due_today: { amount_minor: 2999, currency: 'EUR' } });

    const session = await app.stripe.checkout.sessions.retrieve(session_id);
    expect(session.custom_text.submit?.message).toBe('You have had a subscription or free trial before, so this subscription has no free trial: the first payment of €29.99 per month is charged today.');
    const page = await (await fetch(url)).text();
    expect(page).toMatch(/id="due-today"><strong>29\.99 EUR</);
    expect(page).not.toContain('Free trial');
    expect(page).toContain('has no free trial');

    const subscriptionId = await pay(url);
    const read = (await app.t.app.inject({ method: 'GET', url: `/v1/subscriptions/${subscriptionId}`, headers: { authorization: app.t.auth } })).json();
    expect(read).toMatchObject({ status: 'active', trial_end: null, plan: 'monthly' });
    const atStripe = await app.stripe.subscriptions.retrieve(read.provider_subscription_id, { expand: ['latest_invoice'] });
    expect([atStripe.status, atStripe.trial_end, (atStripe.latest_invoice as Stripe.Invoice).amount_paid]).toEqual(['active', null, 2999]);
    const payments = await app.t.ctx.db.query<{ amount: number; status: string }>('SELECT amount_minor::int AS amount, status FROM payments WHERE subscription_id = $1', [subscriptionId]);
    expect(payments.rows).toEqual([{ amount: 2999, status: 'succeeded' }]);
  });

  it('counts paid time at any provider as the trial used, but not a subscription whose first payment never came', async () => {
    const { subscriptionId: paypal } = await returning('shop-back-2', { provider: 'paypal', providerStatus: 'CANCELLED' });
    expect((await checkout('shop-back-2', 'yearly')).json().terms).toMatchObject({ trial_days: 0, trial_refused: { subscription_id: paypal }, due_today: { amount_minor: 29990 } });
    await returning('shop-back-3', { providerStatus: 'incomplete_expired', currentPeriodStart: null, currentPeriodEnd: null });
    expect((await checkout('shop-back-3')).json().terms).toMatchObject({ trial_days: 30, trial_refused: null, due_today: { amount_minor: 0 } });
  });

  it('records a checkout paid a moment ago before deciding, so clicking again right after paying is refused', async () => {
    await seedCustomer(app.t, 'shop-quick');
    const first = (await checkout('shop-quick')).json() as { url: string; session_id: string };
    // Paid on Stripe's page; the browser never came back and no webhook arrived yet.
    expect((await fetch(first.url, form({ card: 'pm_card_visa', action: 'pay' }))).status).toBe(303);
    const again = await checkout('shop-quick', 'yearly');
    expect(again.statusCode).toBe(409);
    const recorded = await app.t.ctx.db.query<{ id: string; status: string }>("SELECT s.id, s.status FROM subscriptions s JOIN customers c ON c.id = s.customer_id WHERE c.external_id = 'shop-quick'");
    expect(recorded.rows).toEqual([{ id: expect.any(String), status: 'trialing' }]);
    expect(again.json().error.details).toEqual({ subscription_id: recorded.rows[0]!.id });
  });

  it('leaves one open checkout when two are started at once (a double click), and that one can be paid', async () => {
    await seedCustomer(app.t, 'shop-double');
    const answers = await Promise.all([checkout('shop-double'), checkout('shop-double')]);
    expect(answers.map((answer) => answer.statusCode)).toEqual([201, 201]);
    const customer = (await app.stripe.customers.list({ limit: 100 })).data.find((c) => c.metadata['external_id'] === 'shop-double')!;
    const open = (await app.stripe.checkout.sessions.list({ customer: customer.id, status: 'open' })).data;
    expect(open).toHaveLength(1);
    const rows = await app.t.ctx.db.query<{ provider_session_id: string; status: string }>("SELECT provider_session_id, status FROM checkout_sessions WHERE status = 'open' AND customer_id = (SELECT id FROM customers WHERE external_id = 'shop-double')");
    expect(rows.rows.map((row) => row.provider_session_id)).toEqual([open[0]!.id]);
    const expired = answers.map((answer) => answer.json() as { url: string; session_id: string }).find((answer) => answer.session_id !== open[0]!.id);
    if (expired) expect(await (await fetch(expired.url)).text()).toContain('This Checkout Session is expired');
    await pay(open[0]!.url!);
    expect((await checkout('shop-double')).statusCode).toBe(409);
  });

  it('applies the same rule to auto-renew: 409 next to a live subscription; paid time is no free trial, so a returning customer still gets it', async () => {
    const customerId = await seedCustomer(app.t, 'shop-renew-1');
    const live = await seedSubscription(app.t, customerId, { status: 'past_due', providerStatus: 'past_due', pastDueSince: app.t.clock.now() });
    const paidUntil = new Date(app.t.clock.now().getTime() + 20 * DAY_MS).toISOString();
    const refused = await post('/v1/customers/shop-renew-1/auto-renew', { plan: 'monthly', paid_until: paidUntil, return_url: 'https://shop.example/' });
    expect(refused.statusCode).toBe(409);
    expect(refused.json().error).toMatchObject({ code: 'conflict', details: { subscription_id: live } });
    expect(refused.json().error.message).toContain(`already has a past_due subscription (${live})`);

    await returning('shop-renew-2', { trialEnd: new Date(app.t.clock.now().getTime() - 10 * DAY_MS) });
    const started = await post('/v1/customers/shop-renew-2/auto-renew', { plan: 'monthly', paid_until: paidUntil, return_url: 'https://shop.example/' });
    expect(started.statusCode).toBe(201);
    expect(await (await fetch(started.json().url)).text()).toMatch(/Trial until \d{4}-\d\d-\d\d, nothing is charged today/);
  });
});

describe.each(testDatabaseKinds)('with trial_once_per_customer off (%s)', (kind) => {
  const { app, checkout, returning } = useStripeApp(kind, false);

  it('gives a returning customer the trial again, and still refuses a second live subscription', async () => {
    await returning('shop-again', { trialEnd: new Date(app.t.clock.now().getTime() - 10 * DAY_MS) });
    const started = await checkout('shop-again');
    expect(started.statusCode).toBe(201);
    const { url, session_id, terms } = started.json() as { url: string; session_id: string; terms: Terms };
    expect(terms).toMatchObject({ trial_days: 30, trial_refused: null, due_today: { amount_minor: 0, currency: 'EUR' } });
    expect((await app.stripe.checkout.sessions.retrieve(session_id)).custom_text.submit).toBeNull();
    const page = await (await fetch(url)).text();
    expect(page).toContain('Free trial: 30 days, nothing is charged today.');
    expect(page).toMatch(/id="due-today"><strong>0\.00 EUR</);

    const customerId = await seedCustomer(app.t, 'shop-live-again');
    await seedSubscription(app.t, customerId, { status: 'active' });
    expect((await checkout('shop-live-again')).statusCode).toBe(409);
  });
});
