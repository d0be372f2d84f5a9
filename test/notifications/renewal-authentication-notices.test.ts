import { afterEach, describe, expect, it } from 'vitest';
import { testDatabaseKinds } from '../support/test-database.ts';
import { startRunningRecur, type RunningRecur } from '../stripe/running-recur.ts';
import { advanceSandboxDays, apiOf, dayOf, mailsTo, plain, runNoticeJobs, signUp, smsTo, type SandboxMail } from './notice-scenario-kit.ts';

const START = new Date('2026-03-02T09:00:00Z');

const form = (fields: Record<string, string>) => ({ method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(fields).toString() });

/** The link to the hosted invoice page, as the customer reads it in the mail. */
const confirmLinkIn = (mail: SandboxMail): string => {
  const link = /https?:\/\/\S+\/stripe\/invoices\/in_[A-Za-z0-9]+/.exec(mail.text ?? '')?.[0];
  if (!link) throw new Error(`no confirmation link in "${mail.subject}"`);
  return link;
};

const fromDay = (start: number, mails: SandboxMail[]) => mails.map((mail) => [dayOf(START, mail.sent_at), mail.categories[0]] as const).filter(([day]) => day >= start);

/**
 * A card that needs 3D Secure on every payment (Stripe's 3184): authenticated at sign-up, it pays
 * the first charge after the trial (day 30); the off-session renewal on day 60 waits for the
 * customer. recur mails (and texts, with consent) the link to Stripe's page the same day, reminds
 * on the dunning schedule (3, 7, 14 days), and stops once the customer has confirmed; the customer
 * who never does gets every reminder, and the subscription ends with Stripe's last retry.
 */
describe.each(testDatabaseKinds)('a renewal that needs authentication on %s', (kind) => {
  let recur: RunningRecur | null = null;
  afterEach(async () => {
    await recur?.close();
    recur = null;
  }, 120_000);

  it('sends the link to confirm, stops reminding once confirmed, and follows dunning to its end for who never confirms', async () => {
    recur = await startRunningRecur(kind, null, { start: START, messaging: true });
    const running = recur;
    await running.startWorker();
    const confirmer = { externalId: 'shop-6101', email: 'confirmer@example.nl', phone: '+31620000011' };
    const never = { externalId: 'shop-6102', email: 'never-confirms@example.nl', phone: '+31620000012' };
    const ids: Record<string, string> = {};
    for (const who of [confirmer, never]) {
      ids[who.email] = (await signUp(running, { ...who, name: who.externalId, smsConsent: true, plan: 'monthly', card: 'pm_card_authenticationRequired', authenticated: true })).subscriptionId;
    }
    const api = apiOf(running);
    const statusOf = async (email: string) => ((await (await api('GET', `/v1/subscriptions/${ids[email]}`)).json()) as { status: string }).status;

    // To the day before the renewal, in steps the notices ride along; the first charge pays on day 30.
    for (const days of [29, 1, 29]) {
      await advanceSandboxDays(running, days);
      await runNoticeJobs(running);
    }
    expect(fromDay(30, await mailsTo(running, confirmer.email))).toEqual([[30, 'receipt']]);

    for (let day = 60; day <= 76; day++) {
      await advanceSandboxDays(running, 1);
      await runNoticeJobs(running);
      if (day === 64) {
        // The customer follows the link in the latest mail and completes the bank's challenge.
        const mails = await mailsTo(running, confirmer.email);
        const link = confirmLinkIn(mails.filter((mail) => mail.categories[0] === 'payment-action-required').at(-1)!);
        expect(await (await fetch(link)).text()).toContain('Complete authentication');
        const done = await fetch(link, form({ action: 'complete' }));
        expect(await done.text()).toContain('<span id="status">paid</span>');
        await runNoticeJobs(running);
      }
    }

    const confirmerMails = await mailsTo(running, confirmer.email);
    expect(fromDay(60, confirmerMails)).toEqual([
      [60, 'payment-action-required'],
      [63, 'payment-action-required'],
      [64, 'receipt'],
    ]);
    expect(await statusOf(confirmer.email)).toBe('active');
    const first = confirmerMails.find((mail) => mail.categories[0] === 'payment-action-required')!;
    expect(plain(first.subject)).toBe('Bevestig je betaling van € 29,99');
    expect(plain(first.text)).toContain('Je bank vraagt je de betaling van € 29,99 voor je abonnement');
    // The link is the one Stripe gives for the invoice it holds open.
    const stripe = running.kit.stripe;
    const [stripeCustomer] = (await stripe.customers.list({ email: confirmer.email, limit: 1 })).data;
    const invoices = (await stripe.invoices.list({ customer: stripeCustomer!.id, limit: 10 })).data;
    expect(invoices.map((invoice) => invoice.hosted_invoice_url)).toContain(confirmLinkIn(first));
    const confirmerSms = await smsTo(running, confirmer.phone);
    expect(confirmerSms.filter((sms) => dayOf(START, new Date(sms.date_created).toISOString()) >= 60).map((sms) => dayOf(START, new Date(sms.date_created).toISOString()))).toEqual([60, 63]);
    expect(confirmerSms.at(-1)!.body).toContain(confirmLinkIn(first));

    const neverMails = await mailsTo(running, never.email);
    const reminders = fromDay(60, neverMails).filter(([, template]) => template === 'payment-action-required').map(([day]) => day);
    expect(reminders).toEqual([60, 63, 67, 74]);
    expect(plain(neverMails.filter((mail) => mail.categories[0] === 'payment-action-required').at(-1)!.text)).toContain('Dit is onze laatste herinnering');
    expect(fromDay(60, neverMails).map(([, template]) => template)).not.toContain('dunning-reminder');
    // Stripe's last retry (day 75, on its 3, 5, 7-day schedule) ends the subscription.
    expect(await statusOf(never.email)).toBe('canceled');
  }, 400_000);
});
