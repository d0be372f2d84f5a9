import { afterEach, describe, expect, it } from 'vitest';
import { testDatabaseKinds } from '../support/test-database.ts';
import { startRunningRecur, type RunningRecur } from '../stripe/running-recur.ts';
import { advanceSandboxDays, apiOf, dayOf, mailsTo, plain, runNoticeJobs, signUp, smsTo } from './notice-scenario-kit.ts';

// 10:00 in Amsterdam: outside SMS quiet hours, and the trial crosses the switch to summer time (29 March).
const START = new Date('2026-03-02T09:00:00Z');
const EMAIL = 'anouk@example.nl';
const PHONE = '+31612345678';
const ADMIN = 'owner@sportwinkel.test';

/**
 * Issue 5's scenario: monthly plan, 30-day trial, a phone with SMS consent, locale nl. The clock
 * moves a day at a time to day 70 and recur's jobs run each day (the delivery twice at once);
 * the sandbox's inboxes must hold exactly the notices the card networks and the shop want.
 */
describe.each(testDatabaseKinds)('notices from sign-up to the second renewal on %s', (kind) => {
  let recur: RunningRecur | null = null;
  afterEach(async () => {
    await recur?.close();
    recur = null;
  }, 120_000);

  it('sends the confirmation on day 0, the reminder by e-mail and SMS on day 23, trial ending on day 27, receipts on days 30 and 60, each once and in Dutch', async () => {
    recur = await startRunningRecur(kind, null, { start: START, messaging: true, settings: { ADMIN_EMAILS: [ADMIN] } });
    const running = recur;
    await running.startWorker();
    const { subscriptionId } = await signUp(running, { externalId: 'shop-5001', email: EMAIL, name: 'Anouk de Vries', phone: PHONE, smsConsent: true, plan: 'monthly', card: 'pm_card_visa' });

    for (let day = 0; day <= 70; day++) {
      await runNoticeJobs(running);
      if (day < 70) await advanceSandboxDays(running, 1);
    }

    const mails = await mailsTo(running, EMAIL);
    const sms = await smsTo(running, PHONE);
    expect(mails.map((mail) => [dayOf(START, mail.sent_at), mail.categories[0]])).toEqual([
      [0, 'enrolment-confirmation'],
      [23, 'trial-reminder'],
      [27, 'trial-ending'],
      [30, 'receipt'],
      [60, 'receipt'],
    ]);
    expect(sms.map((message) => [dayOf(START, new Date(message.date_created).toISOString()), message.to])).toEqual([[23, PHONE]]);

    // In Dutch, with the amounts and dates of this subscription (first charge 1 April, 11:00 in Amsterdam).
    const [confirmation, reminder, ending, firstReceipt, secondReceipt] = mails.map((mail) => ({ subject: plain(mail.subject), text: plain(mail.text), html: plain(mail.html) }));
    for (const mail of [confirmation!, reminder!]) {
      expect(mail.text).toContain('€ 29,99');
      expect(mail.text).toContain('1 april 2026');
      expect(mail.text).toMatch(/per maand|maandelijks/);
      expect(mail.text).toContain(`${running.baseUrl}/links/cancel?token=`);
    }
    expect(confirmation!.text).toContain('€ 0,00');
    expect(ending!.text).toContain('1 april 2026');
    expect(firstReceipt!.text).toContain('€ 29,99');
    expect(firstReceipt!.text).toContain('1 april 2026');
    expect(secondReceipt!.text).toContain('€ 29,99');
    expect(secondReceipt!.text).toContain('1 mei 2026');
    expect(mails.every((mail) => mail.to.length === 1 && mail.to[0] === EMAIL)).toBe(true);
    expect(plain(sms[0]!.body)).toContain('€ 29,99');
    expect(plain(sms[0]!.body)).toContain('1 april');
    expect(sms[0]!.body).toContain(`${running.baseUrl}/links/cancel?token=`);

    // The outbox agrees: one row per notice, each delivered (the providers' callbacks came back verified).
    const api = apiOf(running);
    const listed = (await (await api('GET', '/v1/notifications?customer=shop-5001&limit=100')).json()) as { data: { template: string; channel: string; status: string; attempts: number; delivery_status: string | null }[] };
    expect(listed.data.map((row) => `${row.channel}:${row.template}:${row.status}`).sort()).toEqual(
      ['email:enrolment-confirmation', 'email:receipt', 'email:receipt', 'email:trial-ending', 'email:trial-reminder', 'sms:trial-reminder'].map((row) => `${row}:delivered`).sort(),
    );
    expect(listed.data.every((row) => row.attempts === 1)).toBe(true);
    const subscriptionRows = await running.t.ctx.db.query<{ n: number }>('SELECT count(*)::int AS n FROM notification_outbox WHERE subscription_id = $1', [subscriptionId]);
    expect(subscriptionRows.rows[0]!.n).toBe(6);

    // The shop's owner got the monthly report on the first of April and of May, once each (none for February, before the first subscription).
    const reports = await mailsTo(running, ADMIN);
    expect(reports.map((mail) => [dayOf(START, mail.sent_at), mail.categories[0]])).toEqual([
      [30, 'admin-monthly-report'],
      [60, 'admin-monthly-report'],
    ]);
    const figures = await running.t.ctx.db.query<{ payload: Record<string, unknown> }>("SELECT payload FROM notification_outbox WHERE template = 'admin-monthly-report' ORDER BY due_at");
    expect(figures.rows.map((row) => row.payload)).toEqual([
      { month: '2026-03', active: 1, trialing: 0, past_due: 0, new: 1, churned: 0, revenue: [], mrr: [{ currency: 'EUR', amount_minor: 2999 }] },
      { month: '2026-04', active: 1, trialing: 0, past_due: 0, new: 0, churned: 0, revenue: [{ currency: 'EUR', amount_minor: 2999 }], mrr: [{ currency: 'EUR', amount_minor: 2999 }] },
    ]);
    expect(plain(reports[1]!.text)).toContain('€ 29,99');
  }, 300_000);
});
