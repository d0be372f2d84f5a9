import { afterEach, describe, expect, it } from 'vitest';
import { testDatabaseKinds } from '../support/test-database.ts';
import { startRunningRecur, type RunningRecur } from '../stripe/running-recur.ts';
import { advanceSandboxDays, dayOf, mailsTo, plain, runNoticeJobs, signUp } from './notice-scenario-kit.ts';

const START = new Date('2026-03-02T09:00:00Z');
const EMAIL = 'jaarlid@example.nl';

/**
 * A yearly plan: the renewal reminder goes out 30 days before the renewal (a year after the first
 * charge), not a day earlier, and the renewal's receipt follows. Notices whose moment passed while
 * nothing ran (the trial reminders, here) are not sent afterwards.
 */
describe.each(testDatabaseKinds)('the yearly renewal reminder on %s', (kind) => {
  let recur: RunningRecur | null = null;
  afterEach(async () => {
    await recur?.close();
    recur = null;
  }, 120_000);

  it('reminds 30 days before the yearly renewal, with the amount and date, then sends its receipt', async () => {
    recur = await startRunningRecur(kind, null, { start: START, messaging: true });
    const running = recur;
    await running.startWorker();
    await signUp(running, { externalId: 'shop-5301', email: EMAIL, name: 'Jaarlid', plan: 'yearly', card: 'pm_card_visa' });
    await runNoticeJobs(running);
    // First charge on day 30 (1 April 2026); the renewal is a year later, on day 395 (1 April 2027).
    for (const days of [30, 334]) {
      await advanceSandboxDays(running, days);
      await runNoticeJobs(running);
    }
    expect((await mailsTo(running, EMAIL)).map((mail) => mail.categories[0])).toEqual(['enrolment-confirmation', 'receipt']);
    await advanceSandboxDays(running, 1);
    await runNoticeJobs(running);
    await advanceSandboxDays(running, 30);
    await runNoticeJobs(running);

    const mails = await mailsTo(running, EMAIL);
    expect(mails.map((mail) => [dayOf(START, mail.sent_at), mail.categories[0]])).toEqual([
      [0, 'enrolment-confirmation'],
      [30, 'receipt'],
      [365, 'renewal-reminder'],
      [395, 'receipt'],
    ]);
    const reminder = plain(mails[2]!.text);
    expect(reminder).toContain('€ 299,90');
    expect(reminder).toContain('1 april 2027');
    expect(reminder).toContain(`${running.baseUrl}/links/cancel?token=`);
    expect(plain(mails[3]!.text)).toContain('€ 299,90');
  }, 300_000);
});
