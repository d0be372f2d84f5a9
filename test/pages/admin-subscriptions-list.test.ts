import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { countRows, startTestApp, type TestApp } from '../support/test-app.ts';
import { seedCustomer, seedSubscription } from '../support/seed.ts';
import { testDatabaseKinds } from '../support/test-database.ts';
import { createTestAdmin, signIn, type AdminBrowser } from './admin-support.ts';

/** The subscriptions a list page shows, as their customers' ids, in order. */
const listedCustomers = (html: string): string[] => [...html.matchAll(/<tr data-subscription="[^"]+">\s*<td class="id"><a href="\/admin\/customers\/([^"]+)">/g)].map((match) => decodeURIComponent(match[1]!));
const nextPageOf = (html: string): string | null => /<a href="([^"]+)" rel="next">/.exec(html)?.[1]?.replaceAll('&amp;', '&') ?? null;

describe.each(testDatabaseKinds)('the admin subscriptions list on %s', (kind) => {
  let t: TestApp;
  let browser: AdminBrowser;
  let annaMonthly: string;

  beforeAll(async () => {
    t = await startTestApp(kind);
    await createTestAdmin(t);
    browser = await signIn(t);
    const seed = async (externalId: string, extra: Record<string, unknown>, subscription: Parameters<typeof seedSubscription>[2]) => {
      t.clock.advance(60_000);
      return seedSubscription(t, await seedCustomer(t, externalId, extra), subscription);
    };
    annaMonthly = await seed('cust-anna', { email: 'anna@sportwinkel.test', name: 'Anna de Vries' }, { planId: 'monthly', status: 'active' });
    await seed('cust-bram', { email: 'bram@example.nl', name: 'Bram Jansen' }, { planId: 'yearly', status: 'trialing', providerStatus: 'trialing' });
    await seed('cust-carla', { email: 'carla@example.nl', name: 'Carla 100% Sport' }, { planId: 'monthly', status: 'past_due', providerStatus: 'past_due', pastDueSince: t.clock.now() });
    await seed('cust-dirk', { email: 'dirk@example.nl' }, { provider: 'paypal', providerSubscriptionId: 'I-DIRK', providerStatus: 'ACTIVE', planId: 'yearly', status: 'active' });
    // 26 more, so the list has a second page.
    for (let i = 0; i < 26; i += 1) await seed(`bulk-${String(i).padStart(2, '0')}`, {}, { status: 'canceled', providerStatus: 'canceled', canceledAt: t.clock.now() });
  });
  afterAll(() => t?.close());

  it.each<[string, string, string[]]>([
    ['status', 'status=past_due', ['cust-carla']],
    ['plan', 'plan=yearly', ['cust-dirk', 'cust-bram']],
    ['provider', 'provider=paypal', ['cust-dirk']],
    ['customer e-mail, in part and any case', 'customer=ANNA%40sport', ['cust-anna']],
    ['customer name, "%" as itself, not as anything', 'customer=0%25', ['cust-carla']],
    ['customer id', 'customer=cust-b', ['cust-bram']],
    ['several at once', 'status=active&plan=yearly&provider=paypal', ['cust-dirk']],
    ['"any" (empty) fields as no filter', 'status=&plan=&provider=&customer=cust-', ['cust-dirk', 'cust-carla', 'cust-bram', 'cust-anna']],
    ['nothing for filters no subscription meets', 'status=paused', []],
  ])('filters by %s', async (_name, query, customers) => {
    const page = await browser.get(`/admin/subscriptions?${query}`);
    expect(page.statusCode).toBe(200);
    expect(listedCustomers(page.body)).toEqual(customers);
    if (customers.length === 0) expect(page.body).toContain('No subscription matches these filters.');
  });

  it('pages newest first, keeping the filters on the next page', async () => {
    const first = await browser.get('/admin/subscriptions');
    expect(listedCustomers(first.body)).toHaveLength(25);
    expect(listedCustomers(first.body)[0]).toBe('bulk-25');
    const next = nextPageOf(first.body)!;
    const second = await browser.get(next);
    expect(listedCustomers(second.body)).toEqual(['bulk-00', 'cust-dirk', 'cust-carla', 'cust-bram', 'cust-anna']);
    expect(nextPageOf(second.body)).toBeNull();
    expect(second.body).toContain('<a href="/admin/subscriptions">First page</a>');

    const canceled = await browser.get('/admin/subscriptions?status=canceled');
    const canceledNext = nextPageOf(canceled.body)!;
    expect(canceledNext).toMatch(/^\/admin\/subscriptions\?status=canceled&after=[0-9a-f-]{36}$/);
    expect(listedCustomers((await browser.get(canceledNext)).body)).toEqual(['bulk-00']);
    expect((await browser.get('/admin/subscriptions?status=canceled')).body).toContain('<option value="canceled" selected>');
  });

  it('refuses a filter it does not know with a page that says which, and sends a browser without a session to sign in', async () => {
    const bad = await browser.get('/admin/subscriptions?status=sleeping');
    expect(bad.statusCode).toBe(400);
    expect(bad.body).toContain('This request cannot be used');
    expect(bad.body).toContain('status:');
    const cursor = await browser.get('/admin/subscriptions?after=00000000-0000-4000-8000-000000000000');
    expect(cursor.statusCode).toBe(400);
    const anonymous = await t.app.inject({ method: 'GET', url: '/admin/subscriptions' });
    expect([anonymous.statusCode, anonymous.headers.location]).toEqual([303, '/admin/sign-in']);
    const anonymousCancel = await t.app.inject({ method: 'POST', url: `/admin/subscriptions/${annaMonthly}/cancel`, headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: 'at=now' });
    expect([anonymousCancel.statusCode, anonymousCancel.headers.location]).toEqual([303, '/admin/sign-in']);
  });

  it('answers an action it cannot carry out with a page naming why, and writes nothing', async () => {
    const csrf = await browser.csrf();
    const before = await countRows(t);
    // No payment provider configured in this app: the service refuses before it writes.
    const unconfigured = await browser.post(`/admin/subscriptions/${annaMonthly}/cancel`, { _csrf: csrf, at: 'period_end' });
    expect(unconfigured.statusCode).toBe(503);
    expect(unconfigured.body).toContain('Stripe is not configured');
    expect(unconfigured.body).toContain(`<a class="button" href="/admin/subscriptions/${annaMonthly}">Back</a>`);
    const unknown = await browser.post('/admin/subscriptions/00000000-0000-4000-8000-000000000000/resume', { _csrf: csrf });
    expect(unknown.statusCode).toBe(404);
    expect(unknown.body).toContain('does not exist');
    const badAt = await browser.post(`/admin/subscriptions/${annaMonthly}/cancel`, { _csrf: csrf, at: 'tomorrow' });
    expect(badAt.statusCode).toBe(400);
    expect(await countRows(t)).toEqual(before);
  });

  it('refuses every action without the CSRF token, before anything is done', async () => {
    const notice = '00000000-0000-4000-8000-000000000001';
    const before = await countRows(t);
    for (const [url, fields] of [
      [`/admin/subscriptions/${annaMonthly}/cancel`, { at: 'now' }],
      [`/admin/subscriptions/${annaMonthly}/resume`, {}],
      [`/admin/subscriptions/${annaMonthly}/switch`, { plan: 'yearly' }],
      ['/admin/customers/cust-anna/ban', { reason: 'no token' }],
      ['/admin/customers/cust-anna/unban', {}],
      [`/admin/notifications/${notice}/retry`, {}],
    ] as const) {
      const refused = await browser.post(url, fields);
      expect([url, refused.statusCode]).toEqual([url, 403]);
      expect(refused.body).toContain('This form cannot be used');
    }
    expect(await countRows(t)).toEqual(before);
  });

  it('sends a failed retry back to the notices list, the page a notice has', async () => {
    const missing = await browser.post('/admin/notifications/00000000-0000-4000-8000-000000000000/retry', { _csrf: await browser.csrf() });
    expect(missing.statusCode).toBe(404);
    expect(missing.body).toContain('<a class="button" href="/admin/notifications">Back to the list</a>');
  });

  it('shows a subscription with its customer and the actions that fit its state', async () => {
    const page = await browser.get(`/admin/subscriptions/${annaMonthly}`);
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('<a href="/admin/customers/cust-anna">cust-anna</a> (anna@sportwinkel.test)');
    expect(page.body).toContain(`href="/admin/subscriptions/${annaMonthly}/cancel?at=now">Cancel now…</a>`);
    expect(page.body).toContain(`href="/admin/subscriptions/${annaMonthly}/switch?plan=yearly">Switch to Yearly…</a>`);
    expect((await browser.get('/admin/subscriptions/not-an-id')).statusCode).toBe(400);
    // The customer's page links to it.
    expect((await browser.get('/admin/customers/cust-anna')).body).toContain(`<a href="/admin/subscriptions/${annaMonthly}">Monthly</a>`);
  });
});
