import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listAuditEntries } from '../../src/db/repositories/audit-log-repository.ts';
import { countRows, startTestApp, type TestApp } from '../support/test-app.ts';
import { seedCustomer } from '../support/seed.ts';
import { testDatabaseKinds } from '../support/test-database.ts';
import { createTestAdmin, hiddenField, signIn, type AdminBrowser } from './admin-support.ts';

describe.each(testDatabaseKinds)('ban and unban on the admin customer page (%s)', (kind) => {
  let t: TestApp;
  let browser: AdminBrowser;
  let customerId: string;
  const page = '/admin/customers/cust-anna';
  const banned = async () => ((await t.app.inject({ method: 'GET', url: '/v1/customers/cust-anna', headers: { authorization: t.auth } })).json() as { banned: boolean; banned_reason: string | null });

  beforeAll(async () => {
    t = await startTestApp(kind);
    await createTestAdmin(t);
    browser = await signIn(t);
    customerId = await seedCustomer(t, 'cust-anna', { email: 'anna@sportwinkel.test', name: 'Anna de Vries' });
  });
  afterAll(() => t?.close());

  it('refuses a ban without a reason or without the CSRF token, and changes nothing', async () => {
    const form = await browser.get(page);
    expect(form.body).toContain('<label for="ban-reason">Reason for the ban (required; kept in the audit log)</label>');
    const before = await countRows(t);
    const noReason = await browser.post(`${page}/ban`, { _csrf: hiddenField(form.body, '_csrf'), reason: '   ' });
    expect(noReason.statusCode).toBe(400);
    expect(noReason.body).toContain('a ban needs a reason');
    const forged = await browser.post(`${page}/ban`, { reason: 'chargebacks' });
    expect(forged.statusCode).toBe(403);
    const otherSession = await browser.post(`${page}/ban`, { _csrf: 'x'.repeat(43), reason: 'chargebacks' });
    expect(otherSession.statusCode).toBe(403);
    expect(await countRows(t)).toEqual(before);
    expect(await banned()).toMatchObject({ banned: false });
    const unknown = await browser.post('/admin/customers/cust-nobody/ban', { _csrf: hiddenField(form.body, '_csrf'), reason: 'chargebacks' });
    expect(unknown.statusCode).toBe(404);
  });

  it('bans with the reason and unbans, through the API\'s update, audited as admin:anna', async () => {
    const csrf = await browser.csrf();
    const ban = await browser.post(`${page}/ban`, { _csrf: csrf, reason: 'three chargebacks in March' });
    expect([ban.statusCode, ban.headers.location]).toEqual([303, `${page}?done=banned`]);
    expect(await banned()).toMatchObject({ banned: true, banned_reason: 'three chargebacks in March' });
    const shown = await browser.get(ban.headers.location as string);
    expect(shown.body).toContain('The customer is banned.');
    expect(shown.body).toContain('three chargebacks in March');
    expect(shown.body).toContain('<button type="submit" class="secondary">Unban customer</button>');
    expect(shown.body).not.toContain('Ban customer</button>');

    const unban = await browser.post(`${page}/unban`, { _csrf: csrf });
    expect([unban.statusCode, unban.headers.location]).toEqual([303, `${page}?done=unbanned`]);
    expect(await banned()).toMatchObject({ banned: false, banned_reason: null });
    const unbanned = await browser.get(unban.headers.location as string);
    expect(unbanned.body).toContain('The ban is lifted.');
    // The notices and the audit trail of the customer, in full, one link away.
    expect(unbanned.body).toContain('<a href="/admin/notifications?customer=cust-anna">');
    const trail = await browser.get('/admin/audit?customer=cust-anna');
    expect(trail.body).toMatch(/<td class="id">admin:anna<\/td>\s*<td>customer unban<\/td>/);

    const entries = (await listAuditEntries(t.ctx.db, 'customer', customerId)).filter((entry) => entry.actor === 'admin:anna');
    expect(entries.map((entry) => [entry.action, entry.reason])).toEqual([
      ['ban', 'three chargebacks in March'],
      ['unban', null],
    ]);
  });
});
