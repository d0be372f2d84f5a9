import { Writable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { DELIVER_NOTIFICATIONS } from '../../src/jobs/deliver-notifications.ts';
import { createLogger } from '../../src/shared/logger.ts';
import { startRunningRecur, waitUntilSettled, type RunningRecur } from '../stripe/running-recur.ts';
import { createTestAdmin, signIn } from '../pages/admin-support.ts';
import type { TestApp } from '../support/test-app.ts';
import { testDatabaseKinds } from '../support/test-database.ts';
import { advanceSandboxDays, mailsTo, runNoticeJobs, signUp, smsTo } from './notice-scenario-kit.ts';

const START = new Date('2026-03-02T09:00:00Z');

const form = (fields: Record<string, string>) => ({ method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(fields).toString() });

const setFaults = (recur: RunningRecur, requests: unknown[]) =>
  fetch(`${recur.kit.sandbox.url}/sandbox/faults`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ requests }) });

/**
 * The hosted invoice URL pays the invoice to whoever holds it (ADR 0042): it goes to the customer
 * in the notice and rests in the outbox row, and nowhere else recur writes. A renewal held for 3D
 * Secure is driven with every line recur logs (HTTP at debug, the job engine) captured: the
 * webhooks, a retry of an event whose invoice read failed, the notices by e-mail and SMS with a
 * failed send in between, the customer failing the challenge on the page and Stripe's failing
 * retry. No log line, audit entry or inbox error holds the URL or its path, and the dashboard
 * shows the stored events with it masked.
 */
describe.each(testDatabaseKinds)('the hosted invoice URL on %s', (kind) => {
  let recur: RunningRecur | null = null;
  afterEach(async () => {
    await recur?.close();
    recur = null;
  }, 120_000);

  it('is mailed and texted, and never logged, audited, kept in an error or shown unmasked', async () => {
    const workerLines: string[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _encoding, done) {
        workerLines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
        done();
      },
    });
    recur = await startRunningRecur(kind, null, { start: START, messaging: true, withoutJobs: [DELIVER_NOTIFICATIONS], workerLogger: createLogger('debug', sink) });
    const running = recur;
    await running.startWorker();
    const who = { externalId: 'shop-8101', email: 'sca-logs@example.nl', phone: '+31620000081' };
    await signUp(running, { ...who, name: who.externalId, smsConsent: true, plan: 'monthly', card: 'pm_card_authenticationRequired', authenticated: true });
    for (const days of [29, 1, 29]) {
      await advanceSandboxDays(running, days);
      await runNoticeJobs(running);
    }

    // The renewal (day 60): recur's first read of the invoice fails, so the event is retried; the first send fails too.
    await setFaults(running, [
      { provider: 'stripe', route: 'GET /v1/invoices/:id', errorRate: 1, errorStatus: 500 },
      { provider: 'sendgrid', errorRate: 1 },
    ]);
    await advanceSandboxDays(running, 1);
    await fetch(`${running.kit.sandbox.url}/sandbox/webhooks/flush`, { method: 'POST' });
    const failedOnce = async () => (await running.t.ctx.db.query<{ n: number }>("SELECT count(*)::int AS n FROM webhook_inbox WHERE status = 'failed'")).rows[0]!.n;
    for (let waited = 0; (await failedOnce()) === 0 && waited < 60_000; waited += 200) await new Promise((resolve) => setTimeout(resolve, 200));
    await setFaults(running, [{ provider: 'sendgrid', errorRate: 1 }]);
    // Past the retry's backoff on recur's clock (the sandbox's), and the worker woken for it.
    await fetch(`${running.kit.sandbox.url}/sandbox/clock/advance`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ seconds: 300 }) });
    await running.t.ctx.webhooks.wakeWorker?.();
    await runNoticeJobs(running);
    await setFaults(running, []);
    for (let day = 61; day <= 66; day++) {
      await advanceSandboxDays(running, 1);
      if (day === 62) {
        const [invoice] = (await running.kit.stripe.invoices.list({ status: 'open', limit: 1 })).data;
        const failed = await fetch(invoice!.hosted_invoice_url!, form({ action: 'fail' }));
        expect(await failed.text()).toContain('We are unable to authenticate your payment method.');
      }
      await runNoticeJobs(running);
    }
    await waitUntilSettled(running);

    const invoices = (await running.kit.stripe.invoices.list({ limit: 10 })).data;
    const held = invoices.find((invoice) => invoice.status === 'open')!;
    const url = held.hosted_invoice_url!;
    const path = new URL(url).pathname;
    // What the test looks for is really there: the customer got it, the outbox keeps it, a send failed, an event was retried.
    const mail = (await mailsTo(running, who.email)).find((sent) => sent.categories[0] === 'payment-action-required')!;
    expect(mail.text).toContain(url);
    expect((await smsTo(running, who.phone)).some((sms) => sms.body.includes(url))).toBe(true);
    const outbox = await running.t.ctx.db.query<{ payload: unknown; last_error: string | null; attempts: number }>("SELECT payload, last_error, attempts FROM notification_outbox WHERE template = 'payment-action-required'");
    expect(outbox.rows.some((row) => JSON.stringify(row.payload).includes(url))).toBe(true);
    const inbox = await running.t.ctx.db.query<{ id: string; type: string; payload: unknown; last_error: string | null; attempts: number }>('SELECT id, type, payload, last_error, attempts FROM webhook_inbox ORDER BY id');
    expect(outbox.rows.some((row) => row.attempts > 1)).toBe(true);
    expect(inbox.rows.some((row) => row.attempts > 1)).toBe(true);
    const stored = inbox.rows.filter((row) => JSON.stringify(row.payload).includes(url));
    expect(stored.map((row) => row.type)).toContain('invoice.payment_action_required');

    const logLines = [...running.t.logLines, ...workerLines];
    expect(running.t.logLines.some((line) => line.includes('"route":"/webhooks/:provider"'))).toBe(true);
    expect(logLines.filter((line) => line.includes(path))).toEqual([]);
    const audit = await running.t.ctx.db.query<{ row: unknown }>('SELECT to_jsonb(a) AS row FROM audit_log a');
    expect(audit.rows.length).toBeGreaterThan(0);
    expect(audit.rows.filter((entry) => JSON.stringify(entry.row).includes(path))).toEqual([]);
    expect(inbox.rows.filter((row) => row.last_error?.includes(path))).toEqual([]);
    expect(outbox.rows.filter((row) => row.last_error?.includes(path))).toEqual([]);

    // The dashboard shows Stripe's stored events with the link (and the PDF's) masked.
    const app = running.t as unknown as TestApp;
    await createTestAdmin(app);
    const admin = await signIn(app);
    for (const row of stored) {
      const shown = await admin.get(`/admin/webhooks/${row.id}`);
      expect(shown.statusCode).toBe(200);
      expect(shown.body).not.toContain(path);
      expect(shown.body).toMatch(/hosted_invoice_url&quot;: &quot;\[masked\]|hosted_invoice_url": "\[masked\]/);
    }
  }, 300_000);
});
