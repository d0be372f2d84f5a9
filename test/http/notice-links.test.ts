import { afterEach, describe, expect, it } from 'vitest';
import { listAuditEntries } from '../../src/db/repositories/audit-log-repository.ts';
import { encodeLinkClaims, makeNoticeLinks, signLinkToken } from '../../src/notifications/link-token.ts';
import type { MessagingContext } from '../../src/services/service-context.ts';
import { tableCounts } from '../stripe/stripe-test-kit.ts';
import { startChangeKit, type ChangeKit, type SubscriptionJson } from '../subscription-changes/change-kit.ts';
import { testDatabaseKinds } from '../support/test-database.ts';
import { stripeGatewayOf, withStripeGateway } from '../support/payment-providers.ts';

const LINK_SECRET = 'notice-link-test-secret-of-32-characters';
const HTML = { accept: 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8' };
const FORM = { 'content-type': 'application/x-www-form-urlencoded' };

type Links = { cancel: string; paymentMethod: string };

/**
 * recur against the Stripe sandbox (a real subscription through checkout), with notice links
 * configured and every cancel-at-period-end call to Stripe counted.
 */
async function startLinkKit(kind: Parameters<typeof startChangeKit>[0]) {
  const kit = await startChangeKit(kind);
  const ctx = kit.recur.t.ctx;
  const messaging: MessagingContext = { email: null, sms: null, emailCallbacks: null, smsCallbacks: null, publicBaseUrl: kit.recur.baseUrl, linkSecret: LINK_SECRET };
  ctx.messaging = messaging;
  const gateway = stripeGatewayOf(ctx);
  const cancelCalls: string[] = [];
  const portalCalls: string[] = [];
  ctx.payments = withStripeGateway(ctx, {
    ...gateway,
    cancelAtPeriodEnd: (id, key) => (cancelCalls.push(key), gateway.cancelAtPeriodEnd(id, key)),
    createBillingPortalSession: (input, key) => (portalCalls.push(key), gateway.createBillingPortalSession(input, key)),
  });
  const linksFor = (subscription: SubscriptionJson): Links => {
    const links = makeNoticeLinks(messaging, subscription.id, ctx.clock.now());
    return { cancel: tokenOf(links.cancel), paymentMethod: tokenOf(links.payment_method) };
  };
  const inject = kit.recur.t.app.inject.bind(kit.recur.t.app);
  const getCancel = (token: string, headers: Record<string, string> = HTML) => inject({ method: 'GET', url: `/links/cancel?token=${encodeURIComponent(token)}`, headers });
  const postCancel = (token: string, headers: Record<string, string> = HTML) => inject({ method: 'POST', url: '/links/cancel', headers: { ...FORM, ...headers }, payload: new URLSearchParams({ token }).toString() });
  const getPaymentMethod = (token: string, headers: Record<string, string> = HTML) => inject({ method: 'GET', url: `/links/payment-method?token=${encodeURIComponent(token)}`, headers });
  const postPaymentMethod = (token: string, headers: Record<string, string> = HTML) => inject({ method: 'POST', url: '/links/payment-method', headers: { ...FORM, ...headers }, payload: new URLSearchParams({ token }).toString() });
  return { kit, ctx, messaging, cancelCalls, portalCalls, linksFor, inject, getCancel, postCancel, getPaymentMethod, postPaymentMethod };
}

const tokenOf = (url: string) => new URL(url).searchParams.get('token')!;

function expectPrivatePage(response: { statusCode: number; headers: Record<string, unknown> }, status: number) {
  expect(response.statusCode).toBe(status);
  expect(response.headers['content-type']).toBe('text/html; charset=utf-8');
  expect(response.headers['cache-control']).toBe('no-store');
  expect(response.headers['referrer-policy']).toBe('no-referrer');
  expect(response.headers['content-security-policy']).toContain("frame-ancestors 'none'");
}

describe.each(testDatabaseKinds)('cancel and payment-method links in notices (%s)', (kind) => {
  let kit: ChangeKit | undefined;
  afterEach(async () => {
    await kit?.recur.close();
    kit = undefined;
  });

  it('shows the cancel page without changing anything, cancels at period end on the button, once', async () => {
    const link = await startLinkKit(kind);
    kit = link.kit;
    const subscription = await kit.subscribe('shop-8001', 'monthly');
    expect(subscription).toMatchObject({ status: 'trialing', current_period_end: '2026-01-31T00:00:00.000Z' });
    const { cancel } = link.linksFor(subscription);
    const before = await tableCounts(link.ctx.db);

    // A mail scanner and then the customer open the link: twice nothing happens.
    for (let visit = 0; visit < 2; visit += 1) {
      const page = await link.getCancel(cancel);
      expectPrivatePage(page, 200);
      expect(page.body).toContain('<html lang="nl">');
      expect(page.body).toContain('Wil je je abonnement Maandelijks opzeggen? Het loopt dan af op 31 januari 2026.');
      expect(page.body.match(/<form /g)).toHaveLength(1);
      expect(page.body).toContain(`<form method="post" action="cancel"><input type="hidden" name="token" value="${cancel}">`);
      expect(page.body).toContain('Ja, zeg mijn abonnement op');
    }
    expect(link.cancelCalls).toEqual([]);
    expect(await tableCounts(link.ctx.db)).toEqual(before);
    expect((await kit.recur.kit.stripe.subscriptions.retrieve(subscription.provider_subscription_id)).cancel_at_period_end).toBe(false);

    const confirmed = await link.postCancel(cancel);
    expectPrivatePage(confirmed, 200);
    expect(confirmed.body).toContain('Je abonnement Maandelijks is opgezegd en loopt af op 31 januari 2026.');
    expect(link.cancelCalls).toHaveLength(1);
    const atStripe = await kit.recur.kit.stripe.subscriptions.retrieve(subscription.provider_subscription_id);
    expect([atStripe.status, atStripe.cancel_at_period_end]).toEqual(['trialing', true]);
    const row = await link.ctx.db.query<{ status: string; cancel_at_period_end: boolean }>('SELECT status, cancel_at_period_end FROM subscriptions WHERE id = $1', [subscription.id]);
    expect(row.rows).toEqual([{ status: 'trialing', cancel_at_period_end: true }]);
    const audit = (await listAuditEntries(link.ctx.db, 'subscription', subscription.id)).filter((entry) => entry.actor.startsWith('link:') && entry.action !== 'sync');
    expect(audit.map((entry) => [entry.actor, entry.action])).toEqual([[`link:${subscription.id}`, 'cancel_scheduled']]);

    // Pressed again, or the page opened later: it says so, and Stripe is not asked again.
    const counts = await tableCounts(link.ctx.db);
    const second = await link.postCancel(cancel);
    expectPrivatePage(second, 200);
    expect(second.body).toContain('Je abonnement Maandelijks was al opgezegd en loopt af op 31 januari 2026.');
    const later = await link.getCancel(cancel);
    expect(later.body).toContain('was al opgezegd');
    expect(later.body).not.toContain('<form');
    expect(link.cancelCalls).toHaveLength(1);
    expect(await tableCounts(link.ctx.db)).toEqual(counts);

    // The token rides in the URL and the form: it never reaches the logs.
    expect(kit.recur.t.logLines.join('\n')).not.toContain(cancel);
  });

  it("speaks the customer's language, uses their time zone and escapes what it shows", async () => {
    const link = await startLinkKit(kind);
    kit = link.kit;
    const subscription = await kit.subscribe('shop-8002', 'monthly');
    expect((await kit.api('PATCH', '/v1/customers/shop-8002', { locale: 'en', time_zone: 'America/New_York' })).status).toBe(200);
    link.ctx.config = {
      ...link.ctx.config,
      catalogue: { ...link.ctx.config.catalogue, plans: link.ctx.config.catalogue.plans.map((plan) => (plan.id === 'monthly' ? { ...plan, name: 'Gold <script>alert("x")</script> & more' } : plan)) },
    };
    const page = await link.getCancel(link.linksFor(subscription).cancel);
    expectPrivatePage(page, 200);
    expect(page.body).toContain('<html lang="en">');
    // 2026-01-31T00:00Z is still the 30th in New York.
    expect(page.body).toContain('Do you want to cancel your Gold &lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; more subscription? It will then end on 30 January 2026.');
    expect(page.body).not.toContain('<script>');
    expect(page.body).toContain('Yes, cancel my subscription');
  });

  it('refuses tampered, foreign, expired and wrong-purpose tokens: 400 or 410, a page for a browser, JSON for a program, nothing changed', async () => {
    const link = await startLinkKit(kind);
    kit = link.kit;
    const subscription = await kit.subscribe('shop-8003', 'monthly');
    const { cancel, paymentMethod } = link.linksFor(subscription);
    const now = link.ctx.clock.now();
    const [payload, signature] = cancel.split('.') as [string, string];
    const cases: [string, string, number, string][] = [
      ['a changed signature', `${payload}.${signature.startsWith('A') ? 'B' : 'A'}${signature.slice(1)}`, 400, 'invalid_link'],
      ['a later expiry with the old signature', `${encodeLinkClaims({ purpose: 'cancel', subscriptionId: subscription.id, expiresAt: new Date(now.getTime() + 365 * 86_400_000) })}.${signature}`, 400, 'invalid_link'],
      ['another secret', signLinkToken('someone-elses-secret-of-32-characters!!', { purpose: 'cancel', subscriptionId: subscription.id, expiresAt: new Date(now.getTime() + 86_400_000) }), 400, 'invalid_link'],
      ['a payment-method token', paymentMethod, 400, 'invalid_link'],
      ['garbage', 'not a token <script>', 400, 'invalid_link'],
      ['an expired token', signLinkToken(LINK_SECRET, { purpose: 'cancel', subscriptionId: subscription.id, expiresAt: new Date(now.getTime() - 1000) }), 410, 'link_expired'],
    ];
    const before = await tableCounts(link.ctx.db);
    for (const [name, token, status, code] of cases) {
      for (const send of [link.getCancel, link.postCancel]) {
        const page = await send(token, HTML);
        expectPrivatePage(page, status);
        expect(page.body, name).toContain(status === 410 ? 'Deze link is verlopen' : 'Deze link werkt niet');
        expect(page.body).toContain('Nothing was changed');
        expect(page.body).not.toContain('<script>');
        expect(page.body).not.toContain('<form');
        const program = await send(token, {});
        expect([program.statusCode, program.json().error.code], name).toEqual([status, code]);
        expect(program.json().error.requestId).toBe(program.headers['x-request-id']);
        expect(program.headers['cache-control']).toBe('no-store');
      }
    }
    const missing = await link.inject({ method: 'POST', url: '/links/cancel', headers: FORM, payload: '' });
    expect([missing.statusCode, missing.json().error.code]).toEqual([400, 'validation_failed']);
    expect(link.cancelCalls).toEqual([]);
    expect(await tableCounts(link.ctx.db)).toEqual(before);
    expect((await kit.recur.kit.stripe.subscriptions.retrieve(subscription.provider_subscription_id)).cancel_at_period_end).toBe(false);
  });

  it('after a key rotation, takes a link signed with the replaced key while LINK_SIGNING_SECRET_PREVIOUS holds it, and not after', async () => {
    const link = await startLinkKit(kind);
    kit = link.kit;
    const subscription = await kit.subscribe('shop-8004', 'monthly');
    const replaced = 'the-key-before-the-rotation-32-chars!!';
    const sentBefore = signLinkToken(replaced, { purpose: 'cancel', subscriptionId: subscription.id, expiresAt: new Date(link.ctx.clock.now().getTime() + 86_400_000) });
    link.messaging.previousLinkSecret = replaced;
    const page = await link.getCancel(sentBefore, HTML);
    expectPrivatePage(page, 200);
    expect(page.body).toContain('Ja, zeg mijn abonnement op');
    link.messaging.previousLinkSecret = null;
    expect((await link.getCancel(sentBefore, {})).json().error.code).toBe('invalid_link');
    expect(link.cancelCalls).toEqual([]);
  });

  it('shows the payment-method page without opening anything, and opens a billing-portal session on the button, returning to /links/done, never logging its URL', async () => {
    const link = await startLinkKit(kind);
    kit = link.kit;
    const subscription = await kit.subscribe('shop-8004', 'monthly');
    const { cancel, paymentMethod } = link.linksFor(subscription);
    // As `recur start` beside the sandbox: Stripe's API (and its portal) at the sandbox's address.
    link.ctx.config = { ...link.ctx.config, STRIPE_API_BASE: kit.recur.kit.sandbox.url };
    const before = await tableCounts(link.ctx.db);

    // A mail scanner and then the customer open the link: a page with one button, no session at Stripe.
    for (let visit = 0; visit < 2; visit += 1) {
      const page = await link.getPaymentMethod(paymentMethod);
      expectPrivatePage(page, 200);
      expect(page.body).toContain('<html lang="nl">');
      expect(page.body).toContain('Je gaat naar de beveiligde pagina van onze betaalprovider om de betaalgegevens van je abonnement Maandelijks bij te werken.');
      expect(page.body.match(/<form /g)).toHaveLength(1);
      expect(page.body).toContain(`<form method="post" action="payment-method"><input type="hidden" name="token" value="${paymentMethod}">`);
      expect(page.body).toContain('Naar de betaalpagina');
    }
    expect(link.portalCalls).toEqual([]);
    expect(await tableCounts(link.ctx.db)).toEqual(before);

    const response = await link.postPaymentMethod(paymentMethod);
    expect(response.statusCode).toBe(303);
    expect(response.headers['referrer-policy']).toBe('no-referrer');
    expect(response.headers['cache-control']).toBe('no-store');
    const portal = String(response.headers.location);
    expect(portal.startsWith(`${kit.recur.kit.sandbox.url}/stripe/billing_portal/bps_`)).toBe(true);
    expect(link.portalCalls).toHaveLength(1);
    // Browsers hold a form's redirect to the page's form-action: the portal's origin is allowed there, and https (Stripe's own portal).
    const formAction = /form-action ([^;]*)/.exec(String((await link.getPaymentMethod(paymentMethod)).headers['content-security-policy']))![1]!.split(' ');
    expect(formAction).toEqual(["'self'", 'https:', new URL(portal).origin]);
    expect(String((await link.getCancel(cancel)).headers['content-security-policy'])).toContain("form-action 'self';");
    const page = await fetch(portal);
    expect(await page.text()).toContain(`${kit.recur.baseUrl}/links/done`);
    const logs = kit.recur.t.logLines.join('\n');
    expect(logs).not.toContain(portal);
    expect(logs).not.toContain(paymentMethod);
    const audit = await link.ctx.db.query<{ actor: string }>("SELECT actor FROM audit_log WHERE action = 'billing_portal_opened'");
    expect(audit.rows).toEqual([{ actor: `link:${subscription.id}` }]);

    const done = await link.inject({ method: 'GET', url: '/links/done', headers: HTML });
    expectPrivatePage(done, 200);
    expect(done.body).toContain('Je kunt dit venster sluiten');

    // The cancel token opens no portal, by either method.
    for (const send of [link.getPaymentMethod, link.postPaymentMethod]) {
      const wrong = await send(cancel, {});
      expect([wrong.statusCode, wrong.json().error.code]).toEqual([400, 'invalid_link']);
    }
    expect(link.portalCalls).toHaveLength(1);
    expect((await link.ctx.db.query("SELECT 1 FROM audit_log WHERE action = 'billing_portal_opened'")).rows).toHaveLength(1);
  });

  it('refuses a cancel link issued before the shop resumed the subscription: a page saying so, nothing changed; a newer link works', async () => {
    const link = await startLinkKit(kind);
    kit = link.kit;
    const subscription = await kit.subscribe('shop-8006', 'monthly');
    const { cancel } = link.linksFor(subscription);
    expect((await link.postCancel(cancel)).body).toContain('is opgezegd');
    expect(link.cancelCalls).toHaveLength(1);

    // The customer changes their mind; the shop resumes the subscription for them.
    await kit.advance({ seconds: 60 });
    const resumed = await kit.api('POST', `/v1/subscriptions/${subscription.id}/resume`);
    expect(resumed.status).toBe(200);
    expect(((await resumed.json()) as SubscriptionJson).cancel_at_period_end).toBe(false);
    const counts = await tableCounts(link.ctx.db);

    for (const send of [link.getCancel, link.postCancel]) {
      const page = await send(cancel, HTML);
      expectPrivatePage(page, 409);
      expect(page.body).toContain('<html lang="nl">');
      expect(page.body).toContain('Deze link geldt niet meer');
      expect(page.body).toContain('Je abonnement Maandelijks is na het versturen van deze link weer voortgezet, dus deze link zegt het niet meer op. Er is niets veranderd.');
      expect(page.body).not.toContain('<form');
      const program = await send(cancel, {});
      expect([program.statusCode, program.json().error.code]).toEqual([409, 'link_outdated']);
    }
    expect(link.cancelCalls).toHaveLength(1);
    expect(await tableCounts(link.ctx.db)).toEqual(counts);
    expect((await kit.recur.kit.stripe.subscriptions.retrieve(subscription.provider_subscription_id)).cancel_at_period_end).toBe(false);
    const row = await link.ctx.db.query<{ cancel_at_period_end: boolean }>('SELECT cancel_at_period_end FROM subscriptions WHERE id = $1', [subscription.id]);
    expect(row.rows).toEqual([{ cancel_at_period_end: false }]);

    // A notice sent after the resume carries a link that cancels again.
    await kit.advance({ seconds: 60 });
    const fresh = link.linksFor(subscription).cancel;
    expect((await link.getCancel(fresh)).body).toContain('Wil je je abonnement Maandelijks opzeggen?');
    expect((await link.postCancel(fresh)).body).toContain('is opgezegd');
    expect(link.cancelCalls).toHaveLength(2);
  });

  it('answers 503 not_configured while recur runs without notifications', async () => {
    const link = await startLinkKit(kind);
    kit = link.kit;
    const subscription = await kit.subscribe('shop-8005', 'monthly');
    const { cancel, paymentMethod } = link.linksFor(subscription);
    delete link.ctx.messaging;
    for (const request of [
      { method: 'GET' as const, url: `/links/cancel?token=${cancel}` },
      { method: 'POST' as const, url: '/links/cancel', headers: FORM, payload: `token=${cancel}` },
      { method: 'GET' as const, url: `/links/payment-method?token=${paymentMethod}` },
      { method: 'POST' as const, url: '/links/payment-method', headers: FORM, payload: `token=${paymentMethod}` },
      { method: 'GET' as const, url: '/links/done' },
    ]) {
      const response = await link.inject(request);
      expect([response.statusCode, response.json().error.code]).toEqual([503, 'not_configured']);
    }
    expect(link.cancelCalls).toEqual([]);
    expect(link.portalCalls).toEqual([]);
  });
});
