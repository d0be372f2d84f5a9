import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recordAudit } from '../../src/db/repositories/audit-log-repository.ts';
import { startTestApp, type TestApp } from '../support/test-app.ts';
import { seedCustomer, seedSubscription } from '../support/seed.ts';
import { testDatabaseKinds } from '../support/test-database.ts';
import { createTestAdmin, signIn, type AdminBrowser } from './admin-support.ts';

/** The entries a page shows, as "actor entity action", in order (the test's API key as `api_key:K`). */
const listed = (html: string): string[] =>
  [...html.matchAll(/<tr data-audit="\d+">\s*<td>[^<]*<\/td>\s*<td class="id">([^<]*)<\/td>\s*<td>([^<]*)<\/td>/g)].map((match) => `${match[1]!.replace(/^api_key:[0-9a-f-]{36}$/, 'api_key:K')} ${match[2]}`);
const nextPageOf = (html: string): string | null => /<a href="([^"]+)" rel="next">/.exec(html)?.[1]?.replaceAll('&amp;', '&') ?? null;

describe.each(testDatabaseKinds)('the admin audit log page on %s', (kind) => {
  let t: TestApp;
  let browser: AdminBrowser;

  beforeAll(async () => {
    t = await startTestApp(kind);
    const anna = await seedCustomer(t, 'cust-anna');
    const bram = await seedCustomer(t, 'cust-bram');
    const annaSubscription = await seedSubscription(t, anna);
    const entry = async (actor: string, entity: string, entityId: string, action: string, reason: string | null = null) => {
      t.clock.advance(1_000);
      await recordAudit(t.ctx.db, { at: t.clock.now(), actor, entity, entityId, action, before: null, after: null, reason });
    };
    await entry('webhook:stripe:evt_1', 'subscription', annaSubscription, 'sync');
    await entry('admin:anna', 'subscription', annaSubscription, 'cancel_scheduled');
    await entry('admin:anna', 'customer', bram, 'ban', 'chargebacks');
    await entry('admin:bob', 'customer', anna, 'update');
    await entry('admin%x', 'customer', anna, 'update');
    await entry('portal:cust-anna', 'subscription', annaSubscription, 'resumed');
    // Many more, to make a second page.
    for (let i = 0; i < 30; i += 1) await entry('reconcile:run-1', 'subscription', `sub_${i}`, 'sync');
    // The sign-in itself is audited too: the newest entry.
    await createTestAdmin(t);
    browser = await signIn(t);
  });
  afterAll(() => t?.close());

  it.each<[string, string, string[]]>([
    ['actor, by its start', 'actor=admin:', ['admin:anna admin_user admin_sign_in', 'admin:bob customer update', 'admin:anna customer ban', 'admin:anna subscription cancel_scheduled']],
    ['actor, with "%" as itself', 'actor=admin%25', ['admin%x customer update']],
    ['customer: the customer, their subscriptions and payments', 'customer=cust-anna', ['portal:cust-anna subscription resumed', 'admin%x customer update', 'admin:bob customer update', 'admin:anna subscription cancel_scheduled', 'webhook:stripe:evt_1 subscription sync', 'api_key:K customer create']],
    ['action', 'action=ban', ['admin:anna customer ban']],
    ['several at once', 'actor=admin:anna&customer=cust-bram', ['admin:anna customer ban']],
    ['nothing for a customer no one has', 'customer=cust-nobody', []],
  ])('filters by %s', async (_name, query, entries) => {
    const page = await browser.get(`/admin/audit?${query}`);
    expect(page.statusCode).toBe(200);
    expect(listed(page.body)).toEqual(entries);
    if (entries.length === 0) expect(page.body).toContain('No entry matches these filters.');
  });

  it('shows the newest first, a page at a time, keeping the filters', async () => {
    const first = await browser.get('/admin/audit');
    const rows = listed(first.body);
    expect(rows).toHaveLength(25);
    expect(rows[0]).toMatch(/^admin:anna admin_user /);
    const second = await browser.get(nextPageOf(first.body)!);
    expect(listed(second.body).slice(-6)).toEqual([
      'admin:anna customer ban',
      'admin:anna subscription cancel_scheduled',
      'webhook:stripe:evt_1 subscription sync',
      'api_key:K customer create',
      'api_key:K customer create',
      'test api_key create',
    ]);

    const reconcile = await browser.get('/admin/audit?actor=reconcile:');
    expect(listed(reconcile.body)).toHaveLength(25);
    const next = nextPageOf(reconcile.body)!;
    expect(next).toMatch(/^\/admin\/audit\?actor=reconcile%3A&after=\d+$/);
    expect(listed((await browser.get(next)).body)).toEqual(Array.from({ length: 5 }, () => 'reconcile:run-1 subscription sync'));
  });

  it('refuses a malformed filter or cursor with a page, and needs a session', async () => {
    expect((await browser.get('/admin/audit?after=abc')).statusCode).toBe(400);
    expect((await browser.get('/admin/audit?after=999999')).statusCode).toBe(400);
    expect((await browser.get('/admin/audit?action=DROP%20TABLE')).statusCode).toBe(400);
    const anonymous = await t.app.inject({ method: 'GET', url: '/admin/audit' });
    expect([anonymous.statusCode, anonymous.headers.location]).toEqual([303, '/admin/sign-in']);
  });
});
