import { afterEach, describe, expect, it } from 'vitest';
import { makeNoticeLinks } from '../../src/notifications/link-token.ts';
import { wakeWorkersAfterWrite } from '../../src/services/wake-workers-after-write.ts';
import { startRunningRecur, type RunningRecur } from '../stripe/running-recur.ts';
import { completeCheckout, type ChangeKit } from '../subscription-changes/change-kit.ts';
import { poll } from '../support/poll.ts';
import { testDatabaseKinds } from '../support/test-database.ts';
import { enterPortal, FORM, pathOf } from './portal-visit.ts';

type Mail = { subject: string; text: string | null };

/**
 * The manage link in every notice leads to a page that e-mails a fresh one-time portal link, so no
 * long-lived login link sits in old mail: the link read from a real notice in the sandbox's inbox,
 * the page (which changes nothing), its button (CSRF-protected; a double submit sends one e-mail
 * through the outbox), the e-mailed link into the portal, spent on first use.
 */
describe.each(testDatabaseKinds)('the customer portal: a fresh link by e-mail from a notice (%s)', (kind) => {
  let recur: RunningRecur | undefined;
  afterEach(async () => {
    await recur?.close();
    recur = undefined;
  });

  it('shows the page, sends exactly one e-mail on a double submit, and its link opens the portal once', async () => {
    recur = await startRunningRecur(kind, null, { messaging: true });
    await recur.startWorker();
    const running = recur;
    const { t } = running;
    const api: ChangeKit['api'] = (method, path, body) =>
      fetch(`${running.baseUrl}${path}`, { method, headers: { authorization: t.auth, ...(body ? { 'content-type': 'application/json' } : {}) }, body: body ? JSON.stringify(body) : undefined, redirect: 'manual' });
    const mails = async (to: string) => ((await (await fetch(`${running.kit.sandbox.url}/sandbox/mail?to=${encodeURIComponent(to)}`)).json()) as { data: Mail[] }).data;
    const portalLinkRows = async () => (await t.ctx.db.query<{ n: number }>("SELECT count(*)::int AS n FROM notification_outbox WHERE template = 'portal-link'")).rows[0]!.n;

    const email = 'anna.jansen@example.nl';
    expect((await api('POST', '/v1/customers', { external_id: 'shop-3001', email, locale: 'en', time_zone: 'Europe/Amsterdam' })).status).toBe(201);
    const started = await api('POST', '/v1/checkout', { customer: 'shop-3001', plan: 'monthly', provider: 'stripe', return_url: 'https://shop.example/account' });
    const subscription = await completeCheckout(running, api, ((await started.json()) as { url: string }).url, 'shop-3001');
    // The checkout's return is a GET, which wakes no worker: the confirmation goes at the delivery job's next minute unless woken.
    wakeWorkersAfterWrite(t.ctx);

    // The sign-up confirmation, as the customer receives it: its footer keeps the cancel link and adds the manage link.
    const welcome = await poll('the sign-up confirmation in the inbox', async () => (await mails(email))[0] ?? null, 90_000);
    expect(welcome.text).toMatch(/\/links\/cancel\?token=/);
    expect(welcome.text).toContain('See or manage your subscription? Ask for a link to sign in here:');
    const manage = /(http:\/\/\S+\/links\/portal\?token=[A-Za-z0-9_.-]+)/.exec(welcome.text ?? '')![1]!;

    // The page changes nothing: mail scanners follow links.
    const page = await t.app.inject({ method: 'GET', url: pathOf(manage) });
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('<h1>Manage your subscription</h1>');
    expect(page.body).toContain('We send a link to sign in to your subscription overview to a•••@example.nl.');
    expect(page.body).toContain('<button type="submit">Send me the link</button>');
    expect(page.headers['cache-control']).toBe('no-store');
    const cookie = page.cookies.find((candidate) => candidate.name === 'recur_link_csrf')!;
    expect(cookie).toMatchObject({ path: '/links/portal', httpOnly: true, sameSite: 'Strict' });
    expect(await portalLinkRows()).toBe(0);

    const token = new URL(manage).searchParams.get('token')!;
    const csrf = /name="csrf" value="([^"]+)"/.exec(page.body)![1]!;
    const press = (fields: Record<string, string>, cookies: Record<string, string> = { recur_link_csrf: cookie.value }) =>
      t.app.inject({ method: 'POST', url: '/links/portal', headers: FORM, cookies, payload: new URLSearchParams(fields).toString() });

    // Without the form's token, or with a token the browser's cookie does not match: refused, nothing queued.
    expect((await press({ token })).statusCode).toBe(403);
    expect((await press({ token, csrf }, {})).statusCode).toBe(403);
    expect((await press({ token, csrf: 'x'.repeat(csrf.length) })).statusCode).toBe(403);
    expect(await portalLinkRows()).toBe(0);

    // A double click: two posts at once, one e-mail.
    const [first, second] = await Promise.all([press({ token, csrf }), press({ token, csrf })]);
    expect([first.statusCode, second.statusCode]).toEqual([200, 200]);
    const answers = [first.body, second.body].map((body) => (body.includes('We have sent a link to a•••@example.nl.') ? 'sent' : body.includes('We sent a link to a•••@example.nl a moment ago') ? 'already' : 'other'));
    expect(answers.sort()).toEqual(['already', 'sent']);
    // Pressed again in the same ten minutes: still one.
    expect((await press({ token, csrf })).body).toContain('a moment ago, so no other one was sent');
    expect(await portalLinkRows()).toBe(1);

    const fresh = await poll('the portal link in the inbox', async () => (await mails(email)).find((mail) => mail.subject === 'Your link to your subscription with recur') ?? null, 60_000, async () => ({ mails: (await mails(email)).map((mail) => mail.subject), outbox: (await t.ctx.db.query("SELECT template, status, last_error FROM notification_outbox")).rows }));
    const entry = /(http:\/\/\S+\/portal\/enter\?token=[A-Za-z0-9_-]+)/.exec(fresh.text ?? '')![1]!;
    expect(fresh.text).toContain('The link works once, until');
    // The token itself is in no table: only its hash, as for any portal link.
    const stored = await t.ctx.db.query<{ text: string }>('SELECT row_to_json(o)::text AS text FROM notification_outbox o');
    expect(stored.rows.some((row) => row.text.includes(new URL(entry).searchParams.get('token')!))).toBe(false);

    const visit = await enterPortal(t.app, entry);
    const overview = await visit.get('/portal');
    expect(overview.body).toContain('Free trial until 31 January 2026');
    expect(overview.body).toContain(`/portal/cancel?subscription=${subscription.id}`);
    const reused = await t.app.inject({ method: 'GET', url: pathOf(entry) });
    expect(reused.statusCode).toBe(410);

    // After the window, the button sends a new link.
    await fetch(`${running.kit.sandbox.url}/sandbox/clock/advance`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ seconds: 11 * 60 }) });
    expect((await press({ token, csrf })).body).toContain('We have sent a link to a•••@example.nl.');
    expect(await portalLinkRows()).toBe(2);
    await poll('the second portal link', async () => ((await mails(email)).filter((mail) => mail.subject.startsWith('Your link to')).length === 2 ? true : null), 60_000);
  }, 240_000);

  it('refuses links that are not valid manage links with a clear page, and keeps cancel links working', async () => {
    recur = await startRunningRecur(kind, null, { messaging: true });
    const { t } = recur;
    const api: ChangeKit['api'] = (method, path, body) =>
      fetch(`${recur!.baseUrl}${path}`, { method, headers: { authorization: t.auth, ...(body ? { 'content-type': 'application/json' } : {}) }, body: body ? JSON.stringify(body) : undefined, redirect: 'manual' });
    expect((await api('POST', '/v1/customers', { external_id: 'shop-3002', email: 'bob@example.nl', locale: 'nl', time_zone: 'Europe/Amsterdam' })).status).toBe(201);
    const started = await api('POST', '/v1/checkout', { customer: 'shop-3002', plan: 'monthly', provider: 'stripe', return_url: 'https://shop.example/account' });
    const subscription = await completeCheckout(recur, api, ((await started.json()) as { url: string }).url, 'shop-3002');
    const links = makeNoticeLinks(t.ctx.messaging!, subscription.id, t.ctx.clock.now());

    const page = await t.app.inject({ method: 'GET', url: pathOf(links.portal!), headers: { 'accept-language': 'en' } });
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('<html lang="nl">');
    expect(page.body).toContain('We sturen je een link om in te loggen op je abonnementsoverzicht naar b•••@example.nl.');

    const garbled = await t.app.inject({ method: 'GET', url: '/links/portal?token=not-a-token', headers: { 'accept-language': 'en' } });
    expect(garbled.statusCode).toBe(404);
    expect(garbled.body).toContain('This link does not work');
    // A cancel link is signed for another purpose: it opens no portal-link page, and still cancels on its own page.
    const cancelToken = new URL(links.cancel).searchParams.get('token')!;
    expect((await t.app.inject({ method: 'GET', url: `/links/portal?token=${cancelToken}` })).statusCode).toBe(404);
    const cancelPage = await t.app.inject({ method: 'GET', url: pathOf(links.cancel), headers: { accept: 'text/html' } });
    expect(cancelPage.statusCode).toBe(200);
    expect(cancelPage.body).toContain('Ja, zeg mijn abonnement op');

    const expired = makeNoticeLinks(t.ctx.messaging!, subscription.id, new Date(t.ctx.clock.now().getTime() - 61 * 86_400_000));
    const old = await t.app.inject({ method: 'GET', url: pathOf(expired.portal!), headers: { 'accept-language': 'en' } });
    expect(old.statusCode).toBe(410);
    expect(old.body).toContain('This link has expired');
  }, 60_000);
});
