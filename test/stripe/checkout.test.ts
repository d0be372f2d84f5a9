import type Stripe from 'stripe';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listAuditEntries } from '../../src/db/repositories/audit-log-repository.ts';
import { insertCheckoutSession } from '../../src/db/repositories/checkout-session-repository.ts';
import { createStripeGateway } from '../../src/providers/payments/stripe/create-stripe-gateway.ts';
import { sdk, type StripeKit } from '../sandbox/stripe/stripe-kit.ts';
import { seedCustomer } from '../support/seed.ts';
import type { TestApp } from '../support/test-app.ts';
import { testDatabaseKinds } from '../support/test-database.ts';
import { PUBLIC_BASE_URL, startStripeTestApp, tableCounts } from './stripe-test-kit.ts';
import { stripeOnly } from '../support/payment-providers.ts';

const form = (fields: Record<string, string>) => ({ method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(fields).toString(), redirect: 'manual' as const });

describe.each(testDatabaseKinds)('Stripe checkout and the redirect back on %s', (kind) => {
  let t: TestApp;
  let kit: StripeKit;
  let stripe: Stripe;
  beforeAll(async () => {
    ({ kit, stripe, t } = await startStripeTestApp(kind));
  });
  afterAll(async () => {
    await t.close();
    await kit.stop();
  });

  const startCheckout = (body: Record<string, unknown>, headers: Record<string, string> = {}) =>
    t.app.inject({ method: 'POST', url: '/v1/checkout', headers: { authorization: t.auth, ...headers }, payload: body });
  const backFromStripe = (location: string) => t.app.inject({ method: 'GET', url: location.replace(PUBLIC_BASE_URL, '') });

  it('checks out the monthly plan: hosted page, redirect to recur, a trialing subscription, back to the shop', async () => {
    const customerId = await seedCustomer(t, 'shop-2001', { name: 'Sanne Bakker', locale: 'nl' });
    const started = await startCheckout({ customer: 'shop-2001', plan: 'monthly', provider: 'stripe', return_url: 'https://shop.example/account?tab=plan' });
    expect(started.statusCode).toBe(201);
    const { url, session_id } = started.json() as { url: string; session_id: string };
    expect(url).toBe(`${kit.sandbox.url}/stripe/checkout/${session_id}`);

    const session = await stripe.checkout.sessions.retrieve(session_id, { expand: ['customer'] });
    expect(session).toMatchObject({ mode: 'subscription', client_reference_id: customerId, locale: 'nl', metadata: { recur_customer_id: customerId, recur_plan_id: 'monthly' } });
    expect(started.json().terms).toEqual({ plan: 'monthly', price: { amount_minor: 2999, currency: 'EUR' }, interval: 'month', trial_days: 30, trial_refused: null, due_today: { amount_minor: 0, currency: 'EUR' } });
    expect(session.custom_text.submit?.message).toBe('De gratis proefperiode van 30 dagen geldt eenmalig, voor je eerste abonnement.');
    expect(session.customer as Stripe.Customer).toMatchObject({ email: 'shop-2001@example.nl', name: 'Sanne Bakker', metadata: { recur_customer_id: customerId, external_id: 'shop-2001' } });

    const paid = await fetch(url, form({ card: 'pm_card_visa', action: 'pay' }));
    expect(paid.status).toBe(303);
    const location = paid.headers.get('location')!;
    expect(location).toBe(`${PUBLIC_BASE_URL}/checkout/stripe/return?session_id=${session_id}`);

    const back = await backFromStripe(location);
    expect(back.statusCode).toBe(303);
    const shop = new URL(back.headers.location as string);
    expect(shop.origin + shop.pathname).toBe('https://shop.example/account');
    expect(shop.searchParams.get('tab')).toBe('plan');
    expect(shop.searchParams.get('checkout')).toBe('success');
    const subscriptionId = shop.searchParams.get('subscription')!;

    const read = await t.app.inject({ method: 'GET', url: `/v1/subscriptions/${subscriptionId}`, headers: { authorization: t.auth } });
    const stripeSubscription = await stripe.subscriptions.retrieve((await stripe.checkout.sessions.retrieve(session_id)).subscription as string);
    expect(read.json()).toMatchObject({ status: 'trialing', plan: 'monthly' });
    expect(read.json().trial_end).toBe(new Date(stripeSubscription.trial_end! * 1000).toISOString());
    expect(stripeSubscription.trial_end! - stripeSubscription.start_date).toBe(30 * 86_400);
    const audit = await listAuditEntries(t.ctx.db, 'customer', customerId);
    expect(audit.map((entry) => entry.action)).toEqual(['create', 'checkout_started', 'checkout_completed']);

    // The browser comes back twice (reload): same answer, nothing new.
    const counts = await tableCounts(t.ctx.db);
    expect((await backFromStripe(location)).headers.location).toBe(back.headers.location);
    expect(await tableCounts(t.ctx.db)).toEqual(counts);
  });

  it('sends browsers to the hosted page with 303, reuses the Stripe customer and keeps one checkout open', async () => {
    await seedCustomer(t, 'shop-2003');
    const earlier = await startCheckout({ customer: 'shop-2003', plan: 'monthly', provider: 'stripe', return_url: 'https://shop.example/account' });
    expect(earlier.statusCode).toBe(201);
    const first = await startCheckout({ customer: 'shop-2003', plan: 'yearly', provider: 'stripe', return_url: 'https://shop.example/account' }, { accept: 'text/html,application/xhtml+xml' });
    expect(first.statusCode).toBe(303);
    expect(first.headers.location).toMatch(new RegExp(`^${kit.sandbox.url}/stripe/checkout/cs_`));
    expect((await stripe.customers.list({ limit: 100 })).data.filter((c) => c.metadata['external_id'] === 'shop-2003')).toHaveLength(1);
    // The earlier checkout of the same customer can no longer be paid, at Stripe and in recur's rows.
    const earlierId = earlier.json().session_id as string;
    expect((await stripe.checkout.sessions.retrieve(earlierId)).status).toBe('expired');
    expect((await t.ctx.db.query('SELECT status FROM checkout_sessions WHERE provider_session_id = $1', [earlierId])).rows).toEqual([{ status: 'expired' }]);

    // Back at recur before paying (the session is still open): pending, nothing recorded.
    const counts = await tableCounts(t.ctx.db);
    const sessionId = String(first.headers.location).split('/').at(-1)!;
    const early = await backFromStripe(`/checkout/stripe/return?session_id=${sessionId}`);
    expect(early.headers.location).toBe('https://shop.example/account?checkout=pending');
    expect(await tableCounts(t.ctx.db)).toEqual(counts);
  });

  it('refuses unknown customers and plans, banned customers, and requests without a key', async () => {
    await seedCustomer(t, 'shop-2002');
    const counts = await tableCounts(t.ctx.db);
    const body = { customer: 'shop-2002', plan: 'monthly', provider: 'stripe', return_url: 'https://shop.example/' };
    expect((await startCheckout({ ...body, customer: 'nobody' })).statusCode).toBe(404);
    expect((await startCheckout({ ...body, plan: 'weekly' })).json().error.code).toBe('validation_failed');
    // A provider recur has an adapter for but that is not configured here: a clear 503 naming its settings, not a crash.
    const paypal = await startCheckout({ ...body, provider: 'paypal' });
    expect([paypal.statusCode, paypal.json().error.code]).toEqual([503, 'not_ready']);
    expect(paypal.json().error.message).toBe('PayPal is not configured (set PAYPAL_CLIENT_ID, PAYPAL_CLIENT_SECRET and PAYPAL_WEBHOOK_ID, or run with the sandbox)');
    expect((await startCheckout({ ...body, provider: 'mollie' })).statusCode).toBe(400);
    expect((await startCheckout({ ...body, extra: 1 })).statusCode).toBe(400);
    expect((await startCheckout({ ...body, return_url: 'javascript:alert(1)' })).statusCode).toBe(400);
    expect((await t.app.inject({ method: 'POST', url: '/v1/checkout', payload: body })).statusCode).toBe(401);
    expect(await tableCounts(t.ctx.db)).toEqual(counts);

    await t.app.inject({ method: 'PATCH', url: '/v1/customers/shop-2002', headers: { authorization: t.auth }, payload: { banned: true, banned_reason: 'fraud' } });
    const banned = await startCheckout(body);
    expect(banned.statusCode).toBe(403);
    expect(banned.json().error.message).toContain('banned');
  });

  it('turns Stripe failures into provider_rate_limited / provider_failure and records nothing', async () => {
    const faults = (body: unknown) => fetch(`${kit.sandbox.url}/sandbox/faults`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    const normal = t.ctx.payments;
    t.ctx.payments = stripeOnly(createStripeGateway(sdk(kit.sandbox, undefined, { maxNetworkRetries: 0 })), PUBLIC_BASE_URL);
    await seedCustomer(t, 'shop-2004');
    const body = { customer: 'shop-2004', plan: 'monthly', provider: 'stripe', return_url: 'https://shop.example/' };
    // Linked to a Stripe customer already, so only the failing session call is left to write anything.
    expect((await startCheckout(body)).statusCode).toBe(201);
    const counts = await tableCounts(t.ctx.db);
    try {
      await faults({ requests: [{ provider: 'stripe', route: 'POST /v1/checkout/sessions', errorRate: 1, errorStatus: 429, retryAfterSeconds: 1 }] });
      const limited = await startCheckout(body);
      expect([limited.statusCode, limited.json().error.code]).toEqual([503, 'provider_rate_limited']);
      await faults({ requests: [{ provider: 'stripe', route: 'POST /v1/checkout/sessions', errorRate: 1, errorStatus: 500 }] });
      const failed = await startCheckout(body);
      expect([failed.statusCode, failed.json().error.code]).toEqual([502, 'provider_failure']);
      expect(await tableCounts(t.ctx.db)).toEqual(counts);
    } finally {
      await faults({});
      t.ctx.payments = normal;
    }
  });

  it('answers a forged, unknown or foreign session id with an error and changes nothing', async () => {
    const counts = await tableCounts(t.ctx.db);
    const forged = await backFromStripe('/checkout/stripe/return?session_id=cs_test_forged123');
    expect(forged.statusCode).toBe(404);
    expect(forged.json().error.code).toBe('not_found');
    expect((await backFromStripe('/checkout/stripe/return?session_id=../../v1/customers')).statusCode).toBe(400);

    // A real session at Stripe that recur did not open.
    const price = (await stripe.prices.list({ lookup_keys: ['recur_monthly'] })).data[0]!;
    const stranger = await stripe.checkout.sessions.create({ mode: 'subscription', line_items: [{ price: price.id, quantity: 1 }], success_url: 'https://evil.example/', client_reference_id: 'someone-else' });
    await fetch(stranger.url!, form({ card: 'pm_card_visa', action: 'pay', email: 'mallory@example.com' }));
    expect((await backFromStripe(`/checkout/stripe/return?session_id=${stranger.id}`)).statusCode).toBe(404);
    expect(await tableCounts(t.ctx.db)).toEqual(counts);

    // Recur's row names customer shop-2001, but Stripe's session belongs to someone else.
    const victim = (await t.ctx.db.query<{ id: string }>("SELECT id FROM customers WHERE external_id = 'shop-2001'")).rows[0]!.id;
    await insertCheckoutSession(t.ctx.db, { provider: 'stripe', providerSessionId: stranger.id, customerId: victim, planId: 'monthly', returnUrl: 'https://shop.example/' }, t.clock.now());
    const before = await tableCounts(t.ctx.db);
    const foreign = await backFromStripe(`/checkout/stripe/return?session_id=${stranger.id}`);
    expect(foreign.statusCode).toBe(400);
    expect(foreign.json().error.message).toContain('does not belong');
    expect(await tableCounts(t.ctx.db)).toEqual(before);
  });

  it('shows a browser a page in words, with the request id, where a program gets the JSON error', async () => {
    const counts = await tableCounts(t.ctx.db);
    const browser = { accept: 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8', 'accept-language': 'en-GB,en;q=0.9' };
    const forged = await t.app.inject({ method: 'GET', url: '/checkout/stripe/return?session_id=cs_test_forged123', headers: browser });
    expect(forged.statusCode).toBe(404);
    expect(forged.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(forged.body).toContain('This payment could not be found');
    expect(forged.body).toContain(`Reference: <code>${forged.headers['x-request-id']}</code>`);

    const malformed = await t.app.inject({ method: 'GET', url: '/checkout/stripe/return?session_id=%3Cscript%3Ealert(1)%3C/script%3E', headers: browser });
    expect(malformed.statusCode).toBe(400);
    expect(malformed.body).toContain('This payment link is not valid');
    expect(malformed.body).not.toContain('<script>');

    const normal = t.ctx.payments;
    t.ctx.payments = undefined;
    try {
      const unavailable = await t.app.inject({ method: 'GET', url: '/checkout/stripe/return?session_id=cs_test_whatever', headers: browser });
      expect(unavailable.statusCode).toBe(503);
      expect(unavailable.body).toContain('you do not need to pay again');
    } finally {
      t.ctx.payments = normal;
    }
    expect(await tableCounts(t.ctx.db)).toEqual(counts);
  });

  it("speaks the language of the session's customer on a failed return, else the browser's, else DEFAULT_LOCALE", async () => {
    const browser = (language?: string) => ({ accept: 'text/html,application/xhtml+xml', ...(language ? { 'accept-language': language } : {}) });
    const sessionOf = async (externalId: string, locale: 'nl' | 'en') => {
      await seedCustomer(t, externalId, { name: 'Sanne Bakker', locale });
      return (await startCheckout({ customer: externalId, plan: 'monthly', provider: 'stripe', return_url: 'https://shop.example/' })).json().session_id as string;
    };
    const dutch = await sessionOf('shop-2204', 'nl');
    const english = await sessionOf('shop-2205', 'en');
    const counts = await tableCounts(t.ctx.db);
    const back = (sessionId: string, headers: Record<string, string>) => t.app.inject({ method: 'GET', url: `/checkout/stripe/return?session_id=${sessionId}`, headers });

    // Stripe unreachable: the customer recur knows is answered in their own language, whatever the browser says.
    const normal = t.ctx.payments;
    t.ctx.payments = undefined;
    try {
      const dutchPage = await back(dutch, browser('en-GB,en;q=0.9'));
      expect([dutchPage.statusCode, dutchPage.headers['content-type']]).toEqual([503, 'text/html; charset=utf-8']);
      expect(dutchPage.body).toContain('<html lang="nl">');
      expect(dutchPage.body).toContain('<h1>Je betaling wordt verwerkt</h1>');
      expect(dutchPage.body).toContain('je hoeft niet opnieuw te betalen');
      expect(dutchPage.body).toContain(`Referentie: <code>${dutchPage.headers['x-request-id']}</code>`);
      expect(dutchPage.body).not.toMatch(/payment|Reference/);
      const englishPage = await back(english, browser('nl-NL,nl;q=0.9'));
      expect(englishPage.body).toContain('<html lang="en">');
      expect(englishPage.body).toContain('you do not need to pay again');
      // A program still gets the error shape.
      const program = await back(dutch, { 'accept-language': 'nl' });
      expect(program.json()).toEqual({ error: { code: 'not_ready', message: expect.any(String), requestId: program.headers['x-request-id'] } });
    } finally {
      t.ctx.payments = normal;
    }

    // A session recur does not know: the browser's first language recur speaks.
    const unknown = await back('cs_test_unknown123', browser('de-DE,de;q=0.9,nl;q=0.8,en;q=0.7'));
    expect(unknown.statusCode).toBe(404);
    expect(unknown.body).toContain('<h1>Deze betaling is niet gevonden</h1>');
    expect(unknown.body).toContain('Ga terug naar de winkel en begin opnieuw');
    expect((await back('cs_test_unknown123', browser('fr, en;q=0.5, nl;q=0'))).body).toContain('<h1>This payment could not be found</h1>');
    expect((await back('not-a-session', browser('nl'))).body).toContain('<h1>Deze betaallink is niet geldig</h1>');
    // Neither: the shop's DEFAULT_LOCALE (nl in the test app, then en).
    expect((await back('cs_test_unknown123', browser())).body).toContain('<html lang="nl">');
    const config = t.ctx.config;
    t.ctx.config = { ...config, DEFAULT_LOCALE: 'en' };
    try {
      expect((await back('cs_test_unknown123', browser('*'))).body).toContain('<html lang="en">');
    } finally {
      t.ctx.config = config;
    }
    expect(await tableCounts(t.ctx.db)).toEqual(counts);
  });
});
