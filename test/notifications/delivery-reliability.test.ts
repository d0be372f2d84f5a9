import { generateKeyPairSync, sign } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { DELIVER_NOTIFICATIONS } from '../../src/jobs/deliver-notifications.ts';
import { claimDueNotices } from '../../src/db/repositories/notification-delivery-repository.ts';
import { deliverDueNotifications, NOTICE_CLAIM_LEASE_MS } from '../../src/notifications/deliver-due-notifications.ts';
import { renderClaimedNotice } from '../../src/notifications/render-claimed-notice.ts';
import { recordJobFailureAlert } from '../../src/services/notifications/record-job-failure-alert.ts';
import { testDatabaseKinds } from '../support/test-database.ts';
import { startRunningRecur, waitUntilSettled, type RunningRecur } from '../stripe/running-recur.ts';
import { advanceSandboxDays, apiOf, mailsTo, runNoticeJobs, signUp, smsTo } from './notice-scenario-kit.ts';

const START = new Date('2026-03-02T09:00:00Z');

type NotificationJson = { id: string; template: string; channel: string; status: string; attempts: number; last_error: string | null; error_code: string | null; delivery_status: string | null; delivery_detail: string | null };

async function notificationsOf(recur: RunningRecur, customer: string): Promise<NotificationJson[]> {
  const response = await apiOf(recur)('GET', `/v1/notifications?customer=${customer}&limit=100`);
  expect(response.status).toBe(200);
  return ((await response.json()) as { data: NotificationJson[] }).data;
}

async function setFaults(recur: RunningRecur, requests: unknown[]): Promise<void> {
  const response = await fetch(`${recur.kit.sandbox.url}/sandbox/faults`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ requests }) });
  if (!response.ok) throw new Error(`faults: ${response.status} ${await response.text()}`);
}

const advanceSeconds = async (recur: RunningRecur, seconds: number) => {
  const response = await fetch(`${recur.kit.sandbox.url}/sandbox/clock/advance`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ seconds }) });
  if (!response.ok) throw new Error(`advance: ${response.status}`);
};

const deliveryCtx = (recur: RunningRecur) => ({ ...recur.t.ctx, messaging: recur.t.ctx.messaging!, random: () => 0.5 });

describe.each(testDatabaseKinds)('notice delivery when things go wrong, on %s', (kind) => {
  let recur: RunningRecur | null = null;
  afterEach(async () => {
    await recur?.close();
    recur = null;
  }, 120_000);

  it('keeps a notice while SendGrid answers 500 and then 429, and sends it once when SendGrid recovers', async () => {
    recur = await startRunningRecur(kind, null, { start: START, messaging: true, withoutJobs: [DELIVER_NOTIFICATIONS] });
    const running = recur;
    await running.startWorker();
    await setFaults(running, [{ provider: 'sendgrid', errorRate: 1, errorStatus: 500 }]);
    await signUp(running, { externalId: 'shop-5101', email: 'retry@example.nl', name: 'Retry', plan: 'monthly', card: 'pm_card_visa' });
    await waitUntilSettled(running);

    const first = await deliverDueNotifications(deliveryCtx(running));
    expect(first).toMatchObject({ sent: 0, retry: 1 });
    let [row] = await notificationsOf(running, 'shop-5101');
    expect(row).toMatchObject({ template: 'enrolment-confirmation', status: 'pending', attempts: 1 });
    expect(row!.last_error).toMatch(/500/);

    // Not due again before its backoff (30 s at the first attempt, ±25%): nothing is sent early.
    expect(await deliverDueNotifications(deliveryCtx(running))).toMatchObject({ sent: 0, retry: 0 });
    await setFaults(running, [{ provider: 'sendgrid', errorRate: 1, errorStatus: 429, retryAfterSeconds: 120 }]);
    await advanceSeconds(running, 60);
    expect(await deliverDueNotifications(deliveryCtx(running))).toMatchObject({ sent: 0, retry: 1 });
    [row] = await notificationsOf(running, 'shop-5101');
    expect(row).toMatchObject({ status: 'pending', attempts: 2 });
    expect(row!.last_error).toMatch(/429/);
    // Retry-After (120 s) is longer than the backoff: a pass at +90 s sends nothing.
    await setFaults(running, []);
    await advanceSeconds(running, 90);
    expect(await deliverDueNotifications(deliveryCtx(running))).toMatchObject({ sent: 0 });
    await advanceSeconds(running, 60);
    expect(await deliverDueNotifications(deliveryCtx(running))).toMatchObject({ sent: 1 });
    await runNoticeJobs(running);

    expect((await mailsTo(running, 'retry@example.nl')).map((mail) => mail.categories[0])).toEqual(['enrolment-confirmation']);
    [row] = await notificationsOf(running, 'shop-5101');
    expect(row).toMatchObject({ status: 'delivered', attempts: 3 });
  }, 120_000);

  it('stops cleanly on a bouncing address and on an opted-out number, and shows both', async () => {
    recur = await startRunningRecur(kind, null, { start: START, messaging: true, withoutJobs: [DELIVER_NOTIFICATIONS] });
    const running = recur;
    await running.startWorker();
    const phone = '+31687654321';
    await signUp(running, { externalId: 'shop-5102', email: 'bounce@bounce.test', name: 'Bounce', phone, smsConsent: true, plan: 'monthly', card: 'pm_card_visa' });
    // The customer texts STOP before the reminder: Twilio now refuses the number (21610).
    const optOut = await fetch(`${running.kit.sandbox.url}/sandbox/sms/opt-out`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ number: phone }) });
    expect(optOut.ok).toBe(true);
    await runNoticeJobs(running);
    await advanceSandboxDays(running, 23);
    await runNoticeJobs(running);
    await runNoticeJobs(running);

    const rows = await notificationsOf(running, 'shop-5102');
    const byKey = Object.fromEntries(rows.map((row) => [`${row.channel}:${row.template}`, row]));
    expect(Object.keys(byKey).sort()).toEqual(['email:enrolment-confirmation', 'email:trial-reminder', 'sms:trial-reminder']);
    expect(byKey['email:enrolment-confirmation']).toMatchObject({ status: 'bounced', attempts: 1, delivery_status: 'bounced' });
    expect(byKey['email:enrolment-confirmation']!.delivery_detail).toMatch(/bounce/);
    expect(byKey['sms:trial-reminder']).toMatchObject({ status: 'failed', attempts: 1, error_code: '21610' });
    expect(await smsTo(running, phone)).toEqual([]);
    // Consent is withdrawn: the customer resource says so, and no further SMS row is written.
    const customer = (await (await apiOf(running)('GET', '/v1/customers/shop-5102')).json()) as { sms_consent: boolean };
    expect(customer.sms_consent).toBe(false);
    await advanceSandboxDays(running, 4);
    await runNoticeJobs(running);
    const after = await notificationsOf(running, 'shop-5102');
    expect(after.filter((row) => row.channel === 'sms')).toHaveLength(1);
    expect(after.map((row) => row.template)).toContain('trial-ending');
  }, 120_000);

  it('delivers an admin alert once to every admin, however often the incident is reported', async () => {
    recur = await startRunningRecur(kind, null, { start: START, messaging: true, withoutJobs: [DELIVER_NOTIFICATIONS], settings: { ADMIN_EMAILS: ['ops@shop.example', 'owner@shop.example'], DEFAULT_LOCALE: 'en' } });
    const running = recur;
    const failure = { job: 'reconcile-stripe', jobId: 'job-1', attempts: 2, error: 'Stripe answered 500' };
    await recordJobFailureAlert(running.t.ctx, failure);
    await recordJobFailureAlert(running.t.ctx, failure);
    expect(await deliverDueNotifications(deliveryCtx(running))).toMatchObject({ sent: 2, dead: 0 });
    for (const admin of ['ops@shop.example', 'owner@shop.example']) {
      const mails = await mailsTo(running, admin);
      expect(mails.map((mail) => mail.categories[0])).toEqual(['admin-alert-job-failure']);
      expect(mails[0]!.subject).toContain('reconcile-stripe');
      expect(mails[0]!.text).toContain('Stripe answered 500');
    }
  }, 120_000);

  it('holds an SMS due in the quiet hours until 08:00 in the customer\'s zone, and sends the e-mail at once', async () => {
    // Sign-up at 22:30 in Amsterdam: the reminder is due 23 days later at the same hour.
    const late = new Date('2026-03-02T21:30:00Z');
    recur = await startRunningRecur(kind, null, { start: late, messaging: true, withoutJobs: [DELIVER_NOTIFICATIONS] });
    const running = recur;
    await running.startWorker();
    const phone = '+31633334444';
    await signUp(running, { externalId: 'shop-5105', email: 'night@example.nl', name: 'Night', phone, smsConsent: true, plan: 'monthly', card: 'pm_card_visa' });
    await runNoticeJobs(running);
    await advanceSandboxDays(running, 23);
    await runNoticeJobs(running);

    expect((await mailsTo(running, 'night@example.nl')).map((mail) => mail.categories[0])).toEqual(['enrolment-confirmation', 'trial-reminder']);
    expect(await smsTo(running, phone)).toEqual([]);
    const held = await running.t.ctx.db.query<{ status: string; due_at: Date; attempts: number }>("SELECT status, due_at, attempts FROM notification_outbox WHERE channel = 'sms'");
    // 08:00 in Amsterdam on 26 March (winter time, UTC+1), and the wait is not counted as an attempt.
    expect(held.rows).toEqual([{ status: 'pending', due_at: new Date('2026-03-26T07:00:00Z'), attempts: 0 }]);

    await fetch(`${running.kit.sandbox.url}/sandbox/clock/advance`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ to: '2026-03-26T06:59:59Z' }) });
    expect(await deliverDueNotifications(deliveryCtx(running))).toMatchObject({ sent: 0 });
    await advanceSeconds(running, 1);
    expect(await deliverDueNotifications(deliveryCtx(running))).toMatchObject({ sent: 1 });
    const sms = await smsTo(running, phone);
    expect(sms.map((message) => new Date(message.date_created).toISOString())).toEqual(['2026-03-26T07:00:00.000Z']);
  }, 120_000);

  it('rejects forged SendGrid and Twilio callbacks and changes nothing', async () => {
    recur = await startRunningRecur(kind, null, { start: START, messaging: true, withoutJobs: [DELIVER_NOTIFICATIONS] });
    const running = recur;
    await running.startWorker();
    await signUp(running, { externalId: 'shop-5103', email: 'forged@example.nl', name: 'Forged', plan: 'monthly', card: 'pm_card_visa' });
    await waitUntilSettled(running);
    await deliverDueNotifications(deliveryCtx(running));
    await fetch(`${running.kit.sandbox.url}/sandbox/webhooks/flush`, { method: 'POST' });
    const [sent] = await notificationsOf(running, 'shop-5103');
    expect(sent).toMatchObject({ status: 'delivered', delivery_status: 'delivered' });
    const row = await running.t.ctx.db.query<{ provider_message_id: string }>('SELECT provider_message_id FROM notification_outbox WHERE id = $1', [sent!.id]);
    const messageId = row.rows[0]!.provider_message_id;

    // A bounce for that message, signed with a key that is not SendGrid's.
    const body = JSON.stringify([{ email: 'forged@example.nl', event: 'bounce', timestamp: Math.floor(running.t.ctx.clock.now().getTime() / 1000), sg_event_id: 'forged-1', sg_message_id: `${messageId}.filter0001.0.0`, outbox_id: sent!.id, reason: 'forged' }]);
    const timestamp = String(Math.floor(running.t.ctx.clock.now().getTime() / 1000));
    const otherKey = generateKeyPairSync('ec', { namedCurve: 'prime256v1' }).privateKey;
    const forgedSignature = sign('sha256', Buffer.from(timestamp + body), otherKey).toString('base64');
    const sendgrid = await fetch(`${running.baseUrl}/webhooks/sendgrid`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-twilio-email-event-webhook-signature': forgedSignature, 'x-twilio-email-event-webhook-timestamp': timestamp },
      body,
    });
    expect(sendgrid.status).toBe(400);
    expect(((await sendgrid.json()) as { error: { code: string } }).error.code).toBe('invalid_signature');
    const unsigned = await fetch(`${running.baseUrl}/webhooks/sendgrid`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
    expect(unsigned.status).toBe(400);

    const twilio = await fetch(`${running.baseUrl}/webhooks/twilio?outbox_id=${sent!.id}`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': 'bm90IGEgc2lnbmF0dXJl' },
      body: new URLSearchParams({ MessageSid: 'SM00000000000000000000000000000000', MessageStatus: 'undelivered', ErrorCode: '21610' }).toString(),
    });
    expect(twilio.status).toBe(400);

    const [unchanged] = await notificationsOf(running, 'shop-5103');
    expect(unchanged).toEqual(sent);
    // Each forged signature is logged at warn with its reason, never with the body or the signature;
    // the unsigned request was refused before the route (the webhook perimeter), without a log line.
    const refusals = running.t.logLines.filter((line) => line.includes('delivery callback rejected')).map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(refusals.map(({ level, provider, reason }) => ({ level, provider, reason }))).toEqual([
      { level: 40, provider: 'sendgrid', reason: 'bad-signature' },
      { level: 40, provider: 'twilio', reason: 'bad-signature' },
    ]);
    expect(running.t.logLines.join('\n')).not.toContain(forgedSignature);
    expect(running.t.logLines.join('\n')).not.toContain('forged-1');
  }, 120_000);

  it('after a crash between sending and recording: an SMS found at Twilio and an e-mail confirmed by its event are not sent again', async () => {
    recur = await startRunningRecur(kind, null, { start: START, messaging: true, withoutJobs: [DELIVER_NOTIFICATIONS] });
    const running = recur;
    await running.startWorker();
    const phone = '+31611112222';
    await signUp(running, { externalId: 'shop-5104', email: 'crash@example.nl', name: 'Crash', phone, smsConsent: true, plan: 'monthly', card: 'pm_card_visa' });
    await runNoticeJobs(running);
    await advanceSandboxDays(running, 23);
    await waitUntilSettled(running);
    const { scheduleDueNotices } = await import('../../src/notifications/schedule-due-notices.ts');
    await scheduleDueNotices(running.t.ctx, running.t.ctx.clock.now());

    // A worker claims both reminders and sends them, then dies before recording anything.
    const ctx = deliveryCtx(running);
    const claimed = await claimDueNotices(ctx.db, { channels: ['email', 'sms'], limit: 10, claimToken: '00000000-0000-4000-8000-000000000001', now: ctx.clock.now(), leaseMs: NOTICE_CLAIM_LEASE_MS });
    expect(claimed.map((notice) => notice.channel).sort()).toEqual(['email', 'sms']);
    for (const notice of claimed) {
      const rendered = renderClaimedNotice(ctx, notice, 'Europe/Amsterdam');
      if (rendered.channel === 'sms') await ctx.messaging.sms!.send({ to: notice.recipient, body: rendered.body, reference: notice.id, statusCallbackUrl: null });
      else await ctx.messaging.email!.send({ to: notice.recipient, subject: rendered.subject, text: rendered.text, html: rendered.html, reference: notice.id, category: notice.template });
    }
    // Nothing happens while the claim holds.
    expect(await deliverDueNotifications(ctx)).toMatchObject({ sent: 0, recovered: 0 });
    // SendGrid's events (with the row's id) arrive; the SMS has no callback. The lease lapses.
    await fetch(`${running.kit.sandbox.url}/sandbox/webhooks/flush`, { method: 'POST' });
    await advanceSeconds(running, NOTICE_CLAIM_LEASE_MS / 1000 + 1);
    const recovery = await deliverDueNotifications(ctx);
    expect(recovery).toMatchObject({ sent: 0, recovered: 1 });
    await runNoticeJobs(running);

    expect((await mailsTo(running, 'crash@example.nl')).map((mail) => mail.categories[0])).toEqual(['enrolment-confirmation', 'trial-reminder']);
    expect(await smsTo(running, phone)).toHaveLength(1);
    const rows = await notificationsOf(running, 'shop-5104');
    expect(rows.filter((row) => row.template === 'trial-reminder').map((row) => [row.channel, row.status, row.attempts]).sort()).toEqual([
      ['email', 'delivered', 1],
      ['sms', 'sent', 1],
    ]);
  }, 120_000);
});
