import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listAuditEntries } from '../../src/db/repositories/audit-log-repository.ts';
import { insertNotice } from '../../src/db/repositories/notification-outbox-repository.ts';
import { startTestApp, type TestApp } from '../support/test-app.ts';
import { seedCustomer } from '../support/seed.ts';
import { testDatabaseKinds } from '../support/test-database.ts';
import { createTestAdmin, signIn, type AdminBrowser } from './admin-support.ts';

type Row = { status: string; attempts: number; last_error: string | null };

/** The notices a list page shows, as "template status", in order. */
const listed = (html: string): string[] =>
  [...html.matchAll(/<tr data-notification="[^"]+">[\s\S]*?<td>([a-z-]+)<br>[\s\S]*?<td data-status="([a-z]+)">/g)].map((match) => `${match[1]} ${match[2]}`);

describe.each(testDatabaseKinds)('the admin notifications page on %s', (kind) => {
  let t: TestApp;
  let browser: AdminBrowser;
  const ids: Record<string, string> = {};
  const row = async (id: string) => (await t.ctx.db.query<Row>('SELECT status, attempts, last_error FROM notification_outbox WHERE id = $1', [id])).rows[0]!;

  beforeAll(async () => {
    t = await startTestApp(kind);
    await createTestAdmin(t);
    browser = await signIn(t);
    const anna = await seedCustomer(t, 'cust-anna', { email: 'anna@sportwinkel.test' });
    const bram = await seedCustomer(t, 'cust-bram', { email: 'bram@example.nl', phone: '+31612345678' });
    // Oldest first, a minute apart; the state each ended in is written as the sender leaves it.
    const notices: [string, string, string, 'email' | 'sms', string, string, Partial<Row> & { error_code?: string; delivery_status?: string; delivery_detail?: string }][] = [
      ['welcome', anna, 'cust-anna', 'email', 'anna@sportwinkel.test', 'delivered', { attempts: 1, delivery_status: 'delivered' }],
      ['trial-reminder', anna, 'cust-anna', 'email', 'anna@sportwinkel.test', 'dead', { attempts: 8, last_error: 'SendGrid answered 500 for anna@sportwinkel.test' }],
      ['payment-failed', bram, 'cust-bram', 'sms', '+31612345678', 'failed', { attempts: 1, last_error: 'permanent: unsubscribed recipient', error_code: '21610' }],
      ['renewal-reminder', bram, 'cust-bram', 'email', 'bram@example.nl', 'bounced', { attempts: 1, delivery_status: 'bounce', delivery_detail: '550 no such user bram@example.nl' }],
    ];
    for (const [template, customerId, externalId, channel, recipient, status, extra] of notices) {
      t.clock.advance(60_000);
      const now = t.clock.now();
      await insertNotice(t.ctx.db, { businessKey: `${template}:${externalId}`, customerId, subscriptionId: null, channel, template, recipient, locale: 'nl', payload: {}, dueAt: now, now });
      const { rows } = await t.ctx.db.query<{ id: string }>(
        `UPDATE notification_outbox SET status = $2, attempts = $3, last_error = $4, error_code = $5, delivery_status = $6, delivery_detail = $7, sent_at = CASE WHEN $2 IN ('delivered', 'bounced') THEN due_at END
          WHERE business_key = $1 RETURNING id`,
        [`${template}:${externalId}`, status, extra.attempts ?? 0, extra.last_error ?? null, extra.error_code ?? null, extra.delivery_status ?? null, extra.delivery_detail ?? null],
      );
      ids[template] = rows[0]!.id;
    }
  });
  afterAll(() => t?.close());

  it('lists the notices newest first with their delivery report, addresses masked, and filters them', async () => {
    const all = await browser.get('/admin/notifications');
    expect(all.statusCode).toBe(200);
    expect(listed(all.body)).toEqual(['renewal-reminder bounced', 'payment-failed failed', 'trial-reminder dead', 'welcome delivered']);
    expect(all.body).toContain('bounce: 550 no such user b***@example.nl');
    expect(all.body).toContain('Last error (21610): permanent: unsubscribed recipient');
    expect(all.body).toContain('SMS to +316*****78');
    expect(all.body).toContain('8 attempts');
    expect(all.body).not.toContain('anna@sportwinkel.test');

    expect(listed((await browser.get('/admin/notifications?status=dead')).body)).toEqual(['trial-reminder dead']);
    expect(listed((await browser.get('/admin/notifications?channel=sms')).body)).toEqual(['payment-failed failed']);
    expect(listed((await browser.get('/admin/notifications?customer=cust-anna&status=')).body)).toEqual(['trial-reminder dead', 'welcome delivered']);
    expect(listed((await browser.get('/admin/notifications?template=welcome')).body)).toEqual(['welcome delivered']);
    expect((await browser.get('/admin/notifications?status=lost')).statusCode).toBe(400);
  });

  it('offers retry only for a dead or failed notice, and a retry needs the CSRF token', async () => {
    const page = await browser.get('/admin/notifications');
    const retryForms = [...page.body.matchAll(/action="\/admin\/notifications\/([^/]+)\/retry"/g)].map((match) => match[1]);
    expect(retryForms).toEqual([ids['payment-failed'], ids['trial-reminder']]);
    const forged = await browser.post(`/admin/notifications/${ids['trial-reminder']}/retry`, {});
    expect(forged.statusCode).toBe(403);
    expect(await row(ids['trial-reminder']!)).toMatchObject({ status: 'dead', attempts: 8 });
    const delivered = await browser.post(`/admin/notifications/${ids.welcome}/retry`, { _csrf: await browser.csrf() });
    expect(delivered.statusCode).toBe(409);
    expect(delivered.body).toContain('only dead or failed notifications can be retried');
    expect(await row(ids.welcome!)).toMatchObject({ status: 'delivered' });
  });

  it('retries a dead notice through the API\'s retry: pending, due now, attempts reset, audited as admin:anna, back on the filtered list', async () => {
    const id = ids['trial-reminder']!;
    const back = '/admin/notifications?status=dead';
    const retried = await browser.post(`/admin/notifications/${id}/retry`, { _csrf: await browser.csrf(), back });
    expect([retried.statusCode, retried.headers.location]).toEqual([303, `${back}&retried=${id}`]);
    expect(await row(id)).toMatchObject({ status: 'pending', attempts: 0, last_error: null });
    const after = await browser.get(retried.headers.location as string);
    expect(after.body).toContain('The notice is queued to be sent again now.');
    expect(listed(after.body)).toEqual([]);
    const audit = await listAuditEntries(t.ctx.db, 'notification', id);
    expect(audit.map((entry) => [entry.actor, entry.action])).toEqual([['admin:anna', 'retry']]);
    // A "back" elsewhere is not followed.
    const failed = ids['payment-failed']!;
    const elsewhere = await browser.post(`/admin/notifications/${failed}/retry`, { _csrf: await browser.csrf(), back: 'https://evil.example/' });
    expect(elsewhere.headers.location).toBe(`/admin/notifications?retried=${failed}`);
  });
});
