import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listAuditEntries } from '../../src/db/repositories/audit-log-repository.ts';
import { startReconciliationRun } from '../../src/db/repositories/reconciliation-run-repository.ts';
import { reconcileProvider } from '../../src/services/reconciliation/reconcile-provider.ts';
import type { StripeKit } from '../sandbox/stripe/stripe-kit.ts';
import { startStripeTestApp } from '../stripe/stripe-test-kit.ts';
import type { TestApp } from '../support/test-app.ts';
import { testDatabaseKinds } from '../support/test-database.ts';
import { createTestAdmin, signIn, type AdminBrowser } from './admin-support.ts';

const runCount = async (t: TestApp) => (await t.ctx.db.query<{ n: number }>('SELECT count(*)::int AS n FROM reconciliation_runs')).rows[0]!.n;

describe.each(testDatabaseKinds)('the admin reconciliation pages on %s', (kind) => {
  let kit: StripeKit;
  let t: TestApp;
  let admin: AdminBrowser;
  let stripeSubscriptionId: string;

  beforeAll(async () => {
    ({ kit, t } = await startStripeTestApp(kind));
    await createTestAdmin(t);
    admin = await signIn(t);
    // A subscription Stripe holds and recur never heard of: the drift a run must find.
    const customer = await kit.stripe.customers.create({ email: 'lost@example.nl' });
    const price = (await kit.stripe.prices.list({ lookup_keys: ['recur_monthly'] })).data[0]!;
    stripeSubscriptionId = (await kit.stripe.subscriptions.create({ customer: customer.id, items: [{ price: price.id }], trial_period_days: 30 })).id;
  }, 60_000);
  afterAll(async () => {
    await t?.close();
    await kit?.stop();
  });

  const statusOf = async (id: string) => (await t.ctx.db.query<{ status: string }>('SELECT status FROM reconciliation_runs WHERE id = $1', [id])).rows[0]!.status;

  it('starts a run as the signed-in admin; the run goes on, and its page shows the drift and what was done', async () => {
    const form = await admin.get('/admin/reconciliation');
    expect(form.body).toContain('<option value="stripe">Stripe</option>');
    expect(form.body).not.toContain('<option value="paypal">PayPal</option>');
    const started = await admin.post('/admin/reconciliation/runs', { _csrf: await admin.csrf(), provider: 'stripe' });
    expect(started.statusCode).toBe(303);
    const runId = /^\/admin\/reconciliation\/([0-9a-f-]{36})\?started=1$/.exec(String(started.headers.location))?.[1];
    expect(runId).toBeDefined();
    await expect.poll(() => statusOf(runId!), { timeout: 20_000 }).toBe('succeeded');

    const page = await admin.get(`/admin/reconciliation/${runId}?started=1`);
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('The run has started');
    expect(page.body).toContain('<dt>Started by</dt><dd>admin:anna</dd>');
    expect(page.body).toContain('<dt>Status</dt><dd data-status>succeeded</dd>');
    const item = /<tr data-kind="missing_locally">([\s\S]*?)<\/tr>/.exec(page.body)?.[1] ?? '';
    expect(item).toContain(stripeSubscriptionId);
    expect(item).toContain('recorded from Stripe');
    const audit = await listAuditEntries(t.ctx.db, 'reconciliation_run', runId!);
    expect(audit.map((entry) => [entry.actor, entry.action, entry.after])).toEqual([['admin:anna', 'start', { provider: 'stripe', trigger: 'dashboard' }]]);

    t.clock.advance(60_000);
    const scheduled = await reconcileProvider(t.ctx, { provider: 'stripe', trigger: 'schedule' });
    // The list shows both, newest first, as the API lists them; the status filter narrows it.
    const list = await admin.get('/admin/reconciliation');
    expect([...list.body.matchAll(/data-run="([0-9a-f-]{36})"/g)].map((match) => match[1])).toEqual([scheduled.id, runId]);
    const api = (await t.app.inject({ method: 'GET', url: '/v1/reconciliation/runs', headers: { authorization: t.auth } })).json() as { data: { id: string; trigger: string }[] };
    expect(api.data.map((run) => [run.id, run.trigger])).toEqual([[scheduled.id, 'schedule'], [runId, 'dashboard']]);
    expect([...list.body.matchAll(/<td>(schedule|dashboard|recur sync)<\/td>/g)].map((match) => match[1])).toEqual(['schedule', 'dashboard']);
    expect((await admin.get('/admin/reconciliation?status=failed')).body).toContain('No run yet.');
    const scheduledPage = await admin.get(`/admin/reconciliation/${scheduled.id}`);
    expect(scheduledPage.body).toContain('<dt>Started by</dt><dd>the schedule</dd>');
  }, 60_000);

  it('refuses a second run while one is going on, and a provider that is not configured; nothing is started', async () => {
    const before = await runCount(t);
    const busy = await t.ctx.db.transaction((tx) => startReconciliationRun(tx, { provider: 'stripe', trigger: 'schedule', now: t.clock.now(), abandonAfterMs: 3_600_000 }));
    const csrf = await admin.csrf();
    const refused = await admin.post('/admin/reconciliation/runs', { _csrf: csrf, provider: 'stripe' });
    expect([refused.statusCode, refused.body.includes('A run is already going on'), refused.body.includes(busy!.id)]).toEqual([409, true, true]);
    const paypal = await admin.post('/admin/reconciliation/runs', { _csrf: csrf, provider: 'paypal' });
    expect([paypal.statusCode, paypal.body.includes('PayPal is not configured')]).toEqual([503, true]);
    expect((await admin.post('/admin/reconciliation/runs', { _csrf: csrf, provider: 'mollie' })).statusCode).toBe(400);
    expect(await runCount(t)).toBe(before + 1);
    await t.ctx.db.query("UPDATE reconciliation_runs SET status = 'failed', finished_at = started_at WHERE id = $1", [busy!.id]);
  });

  it('refuses a start without the form token or a session, and unknown runs get a clear page', async () => {
    const before = await runCount(t);
    expect((await admin.post('/admin/reconciliation/runs', { provider: 'stripe' })).statusCode).toBe(403);
    const anonymous = await t.app.inject({ method: 'POST', url: '/admin/reconciliation/runs', headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: 'provider=stripe' });
    expect([anonymous.statusCode, anonymous.headers.location]).toEqual([303, '/admin/sign-in']);
    expect((await t.app.inject({ method: 'GET', url: '/admin/reconciliation' })).statusCode).toBe(303);
    expect(await runCount(t)).toBe(before);
    expect((await admin.get('/admin/reconciliation/5d0c4a3e-2f43-4c55-9a31-1b2f1d0e9a77')).statusCode).toBe(404);
    expect((await admin.get('/admin/reconciliation/not-a-run')).statusCode).toBe(404);
    expect((await admin.get('/admin/reconciliation?provider=mollie')).statusCode).toBe(400);
  });
});
