import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listAuditEntries } from '../../src/db/repositories/audit-log-repository.ts';
import { insertInboxEvent, insertParkedInboxEvent } from '../../src/db/repositories/webhook-inbox-repository.ts';
import { startTestApp, type TestApp } from '../support/test-app.ts';
import { testDatabaseKinds } from '../support/test-database.ts';
import { createTestAdmin, signIn, type AdminBrowser } from './admin-support.ts';

/** A Stripe event whose object carries what must never be shown whole. */
const secretive = {
  id: 'evt_secretive',
  object: 'event',
  type: 'payment_intent.payment_failed',
  data: {
    object: {
      id: 'pi_3Q',
      object: 'payment_intent',
      client_secret: 'pi_3Q_secret_Xy12Ab',
      receipt_email: 'anna@sportwinkel.test',
      last_payment_error: { message: 'Your card was declined.', payment_method: { card: { brand: 'visa', last4: '4242', exp_month: 12, fingerprint: 'Fp9zQk2' } } },
      metadata: { note: 'paid with 4242 4242 4242 4242', api: 'sk_test_51Abc', order: '1234567890123' },
    },
  },
};

const plain = (id: string) => ({ id, object: 'event', type: 'customer.subscription.updated', data: { object: { id: 'sub_1', status: 'active' } } });

describe.each(testDatabaseKinds)('the admin webhook inbox on %s', (kind) => {
  let t: TestApp;
  let admin: AdminBrowser;
  const ids: Record<string, number> = {};
  const idOf = async (providerEventId: string) =>
    Number((await t.ctx.db.query<{ id: string }>('SELECT id FROM webhook_inbox WHERE provider_event_id = $1', [providerEventId])).rows[0]!.id);
  const statusOf = async (id: number) => (await t.ctx.db.query<{ status: string; attempts: number }>('SELECT status, attempts FROM webhook_inbox WHERE id = $1', [id])).rows[0];

  beforeAll(async () => {
    t = await startTestApp(kind);
    await createTestAdmin(t);
    admin = await signIn(t);
    const at = t.clock.now();
    await insertParkedInboxEvent(t.ctx.db, { provider: 'stripe', providerEventId: 'evt_secretive', type: secretive.type, payload: secretive, providerCreatedAt: at }, 'no handler', at);
    await insertInboxEvent(t.ctx.db, { provider: 'stripe', providerEventId: 'evt_done', type: 'customer.subscription.updated', payload: plain('evt_done'), providerCreatedAt: at }, at);
    await insertInboxEvent(t.ctx.db, { provider: 'paypal', providerEventId: 'WH-failed', type: 'BILLING.SUBSCRIPTION.UPDATED', payload: plain('WH-failed'), providerCreatedAt: at }, at);
    await insertInboxEvent(t.ctx.db, { provider: 'stripe', providerEventId: 'evt_new', type: 'invoice.paid', payload: plain('evt_new'), providerCreatedAt: at }, at);
    for (const name of ['evt_secretive', 'evt_done', 'WH-failed', 'evt_new']) ids[name] = await idOf(name);
    await t.ctx.db.query("UPDATE webhook_inbox SET status = 'processed', attempts = 1, processed_at = $2 WHERE id = $1", [ids.evt_done, at]);
    await t.ctx.db.query("UPDATE webhook_inbox SET status = 'failed', attempts = 3, last_error = 'provider_unavailable: PayPal did not answer' WHERE id = $1", [ids['WH-failed']]);
  });
  afterAll(() => t?.close());

  const listed = (html: string) => [...html.matchAll(/data-event="(\d+)"/g)].map((match) => Number(match[1]));

  it('lists every event newest first, and filters by status and by provider', async () => {
    const all = await admin.get('/admin/webhooks');
    expect(all.statusCode).toBe(200);
    expect(listed(all.body)).toEqual([ids.evt_new, ids['WH-failed'], ids.evt_done, ids.evt_secretive]);
    expect(all.body).toContain('aria-current="page">Webhook inbox</a>');
    expect(listed((await admin.get('/admin/webhooks?status=dead')).body)).toEqual([ids.evt_secretive]);
    expect(listed((await admin.get('/admin/webhooks?status=failed')).body)).toEqual([ids['WH-failed']]);
    expect(listed((await admin.get('/admin/webhooks?status=received')).body)).toEqual([ids.evt_new]);
    expect(listed((await admin.get('/admin/webhooks?provider=paypal')).body)).toEqual([ids['WH-failed']]);
    expect(listed((await admin.get('/admin/webhooks?provider=stripe&status=processed')).body)).toEqual([ids.evt_done]);
    const none = await admin.get('/admin/webhooks?provider=paypal&status=dead');
    expect([listed(none.body), none.body.includes('No event is dead from paypal.')]).toEqual([[], true]);
    expect((await admin.get('/admin/webhooks?status=')).statusCode).toBe(200);
  });

  it('refuses a filter the form does not offer with a clear page', async () => {
    for (const url of ['/admin/webhooks?status=exploded', '/admin/webhooks?provider=mollie', '/admin/webhooks?before=abc']) {
      const refused = await admin.get(url);
      expect([refused.statusCode, refused.body.includes('This filter cannot be used')], url).toEqual([400, true]);
    }
    expect((await admin.get('/admin/webhooks?before=999999')).statusCode).toBe(404);
  });

  it("shows an event's payload with secrets and card data masked, and what else it holds", async () => {
    const page = await admin.get(`/admin/webhooks/${ids.evt_secretive}`);
    expect(page.statusCode).toBe(200);
    for (const secret of ['pi_3Q_secret_Xy12Ab', 'Fp9zQk2', '4242 4242 4242 4242', 'sk_test_51Abc']) expect(page.body).not.toContain(secret);
    expect(page.body).toContain('&quot;client_secret&quot;: &quot;[masked]&quot;');
    expect(page.body).toContain('&quot;fingerprint&quot;: &quot;[masked]&quot;');
    expect(page.body).toContain('paid with [masked]');
    expect(page.body).toContain('4 values that look like secrets or card data are shown as [masked].');
    // What staff need stays: the e-mail address, the card's brand and last four, an order number that is no card number.
    for (const kept of ['anna@sportwinkel.test', '&quot;last4&quot;: &quot;4242&quot;', '&quot;brand&quot;: &quot;visa&quot;', '1234567890123', 'Your card was declined.']) expect(page.body).toContain(kept);
    expect(page.body).toContain('Replay event');
    const processed = await admin.get(`/admin/webhooks/${ids.evt_done}`);
    expect([processed.statusCode, processed.body.includes('Replay event'), processed.body.includes('Nothing in it looked like a secret.')]).toEqual([200, false, true]);
    expect((await admin.get('/admin/webhooks/424242')).statusCode).toBe(404);
    expect((await admin.get('/admin/webhooks/evt_done')).statusCode).toBe(404);
  });

  it('replays a dead and a failed event as the signed-in admin, through the same service as the API', async () => {
    const csrf = await admin.csrf();
    const replayed = await admin.post(`/admin/webhooks/${ids.evt_secretive}/replay`, { _csrf: csrf });
    expect([replayed.statusCode, replayed.headers.location]).toEqual([303, `/admin/webhooks/${ids.evt_secretive}?replayed=1`]);
    expect(await statusOf(ids.evt_secretive!)).toEqual({ status: 'received', attempts: 0 });
    const page = await admin.get(`/admin/webhooks/${ids.evt_secretive}?replayed=1`);
    expect(page.body).toContain('The event is back in the queue');
    expect((await admin.post(`/admin/webhooks/${ids['WH-failed']}/replay`, { _csrf: csrf })).statusCode).toBe(303);
    expect(await statusOf(ids['WH-failed']!)).toEqual({ status: 'received', attempts: 0 });
    const audit = await listAuditEntries(t.ctx.db, 'webhook_event', String(ids['WH-failed']));
    expect(audit.map((entry) => [entry.actor, entry.action, entry.before])).toEqual([['admin:anna', 'replay', { status: 'failed', attempts: 3, last_error: 'provider_unavailable: PayPal did not answer' }]]);
    // The API sees what the page did.
    const api = await t.app.inject({ method: 'GET', url: '/v1/webhook-events?status=received', headers: { authorization: t.auth } });
    expect(api.json().data.map((event: { id: number }) => event.id).sort()).toEqual([ids.evt_secretive, ids['WH-failed'], ids.evt_new].sort());
  });

  it('refuses a replay of an event the worker has or has done, of an unknown one, and without the form token; nothing changes', async () => {
    const csrf = await admin.csrf();
    const processed = await admin.post(`/admin/webhooks/${ids.evt_done}/replay`, { _csrf: csrf });
    expect([processed.statusCode, processed.body.includes('only dead, failed or ignored events can be replayed')]).toEqual([409, true]);
    expect(await statusOf(ids.evt_done!)).toEqual({ status: 'processed', attempts: 1 });
    expect((await admin.post(`/admin/webhooks/${ids.evt_new}/replay`, { _csrf: csrf })).statusCode).toBe(409);
    expect((await admin.post('/admin/webhooks/999999/replay', { _csrf: csrf })).statusCode).toBe(404);
    await t.ctx.db.query("UPDATE webhook_inbox SET status = 'dead' WHERE id = $1", [ids.evt_secretive]);
    const forged = await admin.post(`/admin/webhooks/${ids.evt_secretive}/replay`, {});
    expect(forged.statusCode).toBe(403);
    expect((await admin.post(`/admin/webhooks/${ids.evt_secretive}/replay`, { _csrf: 'x'.repeat(43) })).statusCode).toBe(403);
    expect(await statusOf(ids.evt_secretive!)).toEqual({ status: 'dead', attempts: 0 });
    const replays = await t.ctx.db.query<{ n: number }>("SELECT count(*)::int AS n FROM audit_log WHERE entity = 'webhook_event' AND action = 'replay'");
    expect(replays.rows[0]!.n).toBe(2);
  });

  it('sends a browser without a session to the sign-in page, and replays nothing for it', async () => {
    const list = await t.app.inject({ method: 'GET', url: '/admin/webhooks' });
    expect([list.statusCode, list.headers.location]).toEqual([303, '/admin/sign-in']);
    const event = await t.app.inject({ method: 'GET', url: `/admin/webhooks/${ids.evt_secretive}` });
    expect(event.statusCode).toBe(303);
    const replay = await t.app.inject({ method: 'POST', url: `/admin/webhooks/${ids.evt_secretive}/replay`, headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: '_csrf=x' });
    expect(replay.statusCode).toBe(303);
    expect(await statusOf(ids.evt_secretive!)).toEqual({ status: 'dead', attempts: 0 });
  });

  it('pages through a long inbox, fifty events at a time', async () => {
    const at = t.clock.now();
    for (let n = 0; n < 50; n++) await insertInboxEvent(t.ctx.db, { provider: 'stripe', providerEventId: `evt_bulk_${n}`, type: 'invoice.paid', payload: plain(`evt_bulk_${n}`), providerCreatedAt: at }, at);
    const first = await admin.get('/admin/webhooks?provider=stripe');
    expect(listed(first.body)).toHaveLength(50);
    const older = /href="(\/admin\/webhooks\?[^"]+)">Older events</.exec(first.body)?.[1]?.replaceAll('&amp;', '&');
    expect(older).toBe(`/admin/webhooks?provider=stripe&before=${listed(first.body).at(-1)}`);
    const second = await admin.get(older!);
    expect(listed(second.body)).toEqual([ids.evt_new, ids.evt_done, ids.evt_secretive]);
    expect(second.body).not.toContain('Older events');
    expect(second.body).toContain('Newest events');
  });

  it('masks credentials by their look wherever they sit: PayPal tokens, bearer headers, webhook secrets, JWTs', async () => {
    const at = t.clock.now();
    const payload = {
      id: 'WH-tokens',
      event_type: 'BILLING.SUBSCRIPTION.ACTIVATED',
      resource: { id: 'I-BW452GLLEP1G', note: 'sent with Bearer A21AAFEpH4PsADK7qSS7pSRsgzfENtu and whsec_7Qf2Lz9', debug: ['eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.sig'] },
      summary: 'Subscription activated for anna@sportwinkel.test',
    };
    await insertParkedInboxEvent(t.ctx.db, { provider: 'paypal', providerEventId: 'WH-tokens', type: payload.event_type, payload, providerCreatedAt: at }, 'test', at);
    const page = await admin.get(`/admin/webhooks/${await idOf('WH-tokens')}`);
    for (const secret of ['A21AAFEpH4PsADK7qSS7pSRsgzfENtu', 'whsec_7Qf2Lz9', 'eyJhbGciOiJIUzI1NiJ9']) expect(page.body).not.toContain(secret);
    expect(page.body).toContain('sent with [masked] and [masked]');
    expect(page.body).toContain('I-BW452GLLEP1G');
    expect(page.body).toContain('Subscription activated for anna@sportwinkel.test');
  });
});
