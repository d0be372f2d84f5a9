import { afterEach, describe, expect, it } from 'vitest';
import { listAuditEntries } from '../../src/db/repositories/audit-log-repository.ts';
import { deleteEndedPortalSessionsJob } from '../../src/jobs/delete-ended-portal-sessions.ts';
import { seedCustomer, seedSubscription } from '../support/seed.ts';
import { countRows, startTestApp, type TestApp } from '../support/test-app.ts';
import { testDatabaseKinds } from '../support/test-database.ts';
import { enterPortal, pathOf, requestPortalLink, visitWithCookie } from './portal-visit.ts';

const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;

/**
 * The portal's way in and what a session may see, on seeded rows (no provider needed): the link
 * from the API, spent by the first visit; the session cookie; the overview in words; and the
 * walls between one customer's session and another's subscriptions.
 */
describe.each(testDatabaseKinds)('the customer portal: links, sessions, overview (%s)', (kind) => {
  let t: TestApp | undefined;
  afterEach(async () => {
    await t?.close();
    t = undefined;
  });

  it('answers a one-time link for a customer; refuses bad requests and unknown customers', async () => {
    t = await startTestApp(kind);
    const customerId = await seedCustomer(t, 'shop-9001');
    const link = await requestPortalLink(t.app, t.auth, 'shop-9001', { return_url: 'https://shop.example/account', locale: 'en' });
    expect(link.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/portal\/enter\?token=[A-Za-z0-9_-]{43}$/);
    expect(link.expires_at).toBe(new Date(t.clock.now().getTime() + HOUR_MS).toISOString());
    expect((await listAuditEntries(t.ctx.db, 'customer', customerId)).map((entry) => [entry.action, entry.actor])).toContainEqual(['portal_link_created', expect.stringMatching(/^api_key:/)]);
    // Only the token's hash is kept.
    const stored = await t.ctx.db.query<{ token_hash: string }>('SELECT token_hash FROM portal_links');
    expect(stored.rows.map((row) => row.token_hash)).not.toContain(new URL(link.url).searchParams.get('token'));

    const before = await countRows(t);
    const post = (url: string, payload: unknown, auth: string | null = t!.auth) => t!.app.inject({ method: 'POST', url, headers: auth ? { authorization: auth } : {}, payload: payload as object });
    const refused = [
      await post('/v1/customers/shop-9001/portal-sessions', { return_url: 'javascript:alert(1)' }),
      await post('/v1/customers/shop-9001/portal-sessions', { return_url: 'https://shop.example/', locale: 'de' }),
      await post('/v1/customers/shop-9001/portal-sessions', {}),
      await post('/v1/customers/nobody/portal-sessions', { return_url: 'https://shop.example/' }),
      await post('/v1/customers/shop-9001/portal-sessions', { return_url: 'https://shop.example/' }, null),
    ];
    expect(refused.map((response) => [response.statusCode, response.json().error.code])).toEqual([
      [400, 'validation_failed'],
      [400, 'validation_failed'],
      [400, 'validation_failed'],
      [404, 'not_found'],
      [401, 'unauthorized'],
    ]);
    expect(await countRows(t)).toEqual(before);
  });

  it('spends the link on the first visit (a session cookie for /portal), and says so in the customer\'s language on the second', async () => {
    t = await startTestApp(kind);
    await seedCustomer(t, 'shop-9002', { locale: 'nl' });
    const link = await requestPortalLink(t.app, t.auth, 'shop-9002');
    const first = await t.app.inject({ method: 'GET', url: pathOf(link.url) });
    expect(first.statusCode).toBe(303);
    expect(first.headers.location).toBe('/portal');
    expect(first.headers['referrer-policy']).toBe('no-referrer');
    const cookie = first.cookies.find((candidate) => candidate.name === 'recur_portal')!;
    expect(cookie).toMatchObject({ path: '/portal', httpOnly: true, sameSite: 'Lax' });
    expect(cookie.secure).toBeUndefined();
    expect(cookie.value).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const sessions = await t.ctx.db.query<{ session_hash: string }>('SELECT session_hash FROM portal_sessions');
    expect(sessions.rows).toHaveLength(1);
    expect(sessions.rows[0]!.session_hash).not.toBe(cookie.value);

    const second = await t.app.inject({ method: 'GET', url: pathOf(link.url), headers: { 'accept-language': 'en' } });
    expect(second.statusCode).toBe(410);
    expect(second.body).toContain('<html lang="nl">');
    expect(second.body).toContain('Deze link is al gebruikt of verlopen');
    expect(second.cookies).toEqual([]);
    expect((await t.ctx.db.query('SELECT 1 FROM portal_sessions')).rows).toHaveLength(1);

    const unknown = await t.app.inject({ method: 'GET', url: '/portal/enter?token=not-a-token-recur-made', headers: { 'accept-language': 'en-GB,en;q=0.9' } });
    expect(unknown.statusCode).toBe(404);
    expect(unknown.body).toContain('This link does not work');
  });

  it('refuses a link after its hour, and an HTTPS base URL makes the cookie Secure', async () => {
    t = await startTestApp(kind, { settings: { PUBLIC_BASE_URL: 'https://billing.shop.example' } });
    await seedCustomer(t, 'shop-9003', { locale: 'en' });
    const late = await requestPortalLink(t.app, t.auth, 'shop-9003');
    expect(late.url.startsWith('https://billing.shop.example/portal/enter?token=')).toBe(true);
    t.clock.advance(HOUR_MS);
    const expired = await t.app.inject({ method: 'GET', url: pathOf(late.url) });
    expect(expired.statusCode).toBe(410);
    expect(expired.body).toContain('This link was used or has expired');

    const fresh = await requestPortalLink(t.app, t.auth, 'shop-9003');
    const entered = await t.app.inject({ method: 'GET', url: pathOf(fresh.url) });
    expect(entered.cookies.find((candidate) => candidate.name === 'recur_portal')).toMatchObject({ secure: true, httpOnly: true, sameSite: 'Lax', path: '/portal' });
  });

  it('shows each subscription in words in the customer\'s language, with a banner when a payment failed', async () => {
    t = await startTestApp(kind);
    const customerId = await seedCustomer(t, 'shop-9004', { locale: 'nl', time_zone: 'Europe/Amsterdam' });
    const now = t.clock.now();
    await seedSubscription(t, customerId, { planId: 'yearly', status: 'trialing', providerStatus: 'trialing', trialEnd: new Date('2026-03-31T22:30:00Z'), currentPeriodEnd: new Date('2026-03-31T22:30:00Z') });
    await seedSubscription(t, customerId, { planId: 'monthly', status: 'past_due', providerStatus: 'past_due', pastDueSince: new Date(now.getTime() - 2 * DAY_MS), provider: 'paypal' });
    const visit = await enterPortal(t.app, (await requestPortalLink(t.app, t.auth, 'shop-9004')).url);
    const overview = await visit.get('/portal');
    expect(overview.statusCode).toBe(200);
    expect(overview.headers['cache-control']).toBe('no-store');
    expect(overview.headers['content-security-policy']).toContain("script-src 'self'");
    const text = overview.body.replace(/\s+/g, ' ');
    expect(text).toContain('<html lang="nl">');
    expect(text).toContain('<h2 id="subscription-');
    expect(text).toContain('Jaarlijks, € 299,90 per jaar');
    // 22:30 UTC on 31 March is 1 April in Amsterdam.
    expect(text).toContain('<dt>Status</dt><dd>Proefperiode tot 1 april 2026</dd>');
    expect(text).toContain('<dt>Volgende betaling</dt><dd>€ 299,90 op 1 april 2026</dd>');
    expect(text).toContain('<dt>Status</dt><dd>Betaling niet gelukt sinds 27 februari 2026</dd>');
    // Past due: no promise of a next charge, the banner says what to do instead.
    expect(text).not.toContain('op 31 maart 2026');
    expect(text).toContain('<dt>Betaald via</dt><dd>PayPal</dd>');
    expect(text).toContain('<div class="banner" role="alert"><p>De laatste betaling voor je abonnement Maandelijks is niet gelukt.');
    expect(text.match(/>Abonnement opzeggen</g)).toHaveLength(2);
    expect(text).toContain('href="https://shop.example/account"');
  });

  it('keeps one customer\'s session away from another customer\'s subscriptions, and refuses posts without the session\'s CSRF token', async () => {
    t = await startTestApp(kind);
    const anna = await seedCustomer(t, 'shop-9005', { locale: 'en' });
    const bob = await seedCustomer(t, 'shop-9006', { locale: 'en' });
    const annas = await seedSubscription(t, anna);
    const bobs = await seedSubscription(t, bob, { cancelAtPeriodEnd: true });
    const visit = await enterPortal(t.app, (await requestPortalLink(t.app, t.auth, 'shop-9005')).url);
    const bobVisit = await enterPortal(t.app, (await requestPortalLink(t.app, t.auth, 'shop-9006')).url);
    const overview = await visit.get('/portal');
    expect(overview.body).toContain(annas);
    expect(overview.body).not.toContain(bobs);
    const csrf = visit.csrfOf((await visit.get(`/portal/cancel?subscription=${annas}`)).body);
    const before = await countRows(t);

    // Bob's ids in Anna's session: the same page as an id that does not exist.
    for (const url of [`/portal/cancel?subscription=${bobs}`, `/portal/canceled?subscription=${bobs}`, '/portal/cancel?subscription=00000000-0000-4000-8000-000000000000', '/portal/cancel?subscription=1%20OR%201=1']) {
      const page = await visit.get(url);
      expect([url, page.statusCode]).toEqual([url, 404]);
      expect(page.body).toContain('This page or subscription does not exist.');
    }
    expect((await visit.post('/portal/cancel', { subscription: bobs, csrf })).statusCode).toBe(404);
    expect((await visit.post('/portal/resume', { subscription: bobs, csrf })).statusCode).toBe(404);

    // Without the token, with a wrong one, with Bob's session's one: 403, nothing done.
    const bobsCsrf = bobVisit.csrfOf((await bobVisit.get('/portal')).body);
    for (const fields of [{ subscription: annas } as Record<string, string>, { subscription: annas, csrf: 'x'.repeat(43) }, { subscription: annas, csrf: bobsCsrf }]) {
      const refused = await visit.post('/portal/cancel', fields);
      expect(refused.statusCode).toBe(403);
      expect(refused.body).toContain('This form has expired or did not come from this page. Nothing was changed.');
    }
    expect(await countRows(t)).toEqual(before);
    expect((await t.ctx.db.query<{ cancel_at_period_end: boolean }>('SELECT cancel_at_period_end FROM subscriptions WHERE id = $1', [annas])).rows[0]!.cancel_at_period_end).toBe(false);
  });

  it('sends a browser without a session, or with an ended one, to a page that says so', async () => {
    t = await startTestApp(kind);
    await seedCustomer(t, 'shop-9007', { locale: 'en' });
    const visit = await enterPortal(t.app, (await requestPortalLink(t.app, t.auth, 'shop-9007')).url);
    expect((await visit.get('/portal')).statusCode).toBe(200);
    t.clock.advance(HOUR_MS);
    for (const response of [await visit.get('/portal'), await visit.post('/portal/cancel', { subscription: '00000000-0000-4000-8000-000000000000', csrf: 'x' }), await t.app.inject({ method: 'GET', url: '/portal' }), await visitWithCookie(t.app, 'forged').get('/portal')]) {
      expect(response.statusCode).toBe(303);
      expect(response.headers.location).toBe('/portal/ended');
    }
    const ended = await t.app.inject({ method: 'GET', url: '/portal/ended', headers: { 'accept-language': 'nl' } });
    expect(ended.statusCode).toBe(200);
    expect(ended.body).toContain('Je sessie is verlopen');
  });

  it('forgets ended sessions hourly, and spent links a week after their hour (until then a second visit still gets the clear page)', async () => {
    t = await startTestApp(kind);
    await seedCustomer(t, 'shop-9008', { locale: 'en' });
    const link = await requestPortalLink(t.app, t.auth, 'shop-9008');
    const visit = await enterPortal(t.app, link.url);
    const cleanUp = () => deleteEndedPortalSessionsJob(t!.ctx).handle({}, { jobId: 'test', attempt: 1 });
    const rows = async () => (await t!.ctx.db.query<{ links: number; sessions: number }>('SELECT (SELECT count(*)::int FROM portal_links) AS links, (SELECT count(*)::int FROM portal_sessions) AS sessions')).rows[0];
    await cleanUp();
    expect(await rows()).toEqual({ links: 1, sessions: 1 });
    t.clock.advance(HOUR_MS);
    await cleanUp();
    expect(await rows()).toEqual({ links: 1, sessions: 0 });
    expect((await visit.get('/portal')).headers.location).toBe('/portal/ended');
    t.clock.advance(6 * DAY_MS);
    await cleanUp();
    expect((await t.app.inject({ method: 'GET', url: pathOf(link.url) })).statusCode).toBe(410);
    t.clock.advance(DAY_MS);
    await cleanUp();
    expect(await rows()).toEqual({ links: 0, sessions: 0 });
    expect((await t.app.inject({ method: 'GET', url: pathOf(link.url) })).statusCode).toBe(404);
  });
});
