import { afterEach, describe, expect, it } from 'vitest';
import { testDatabaseKinds } from '../support/test-database.ts';
import { startRunningRecur, type RunningRecur } from '../stripe/running-recur.ts';
import { advanceSandboxDays, dayOf, mailsTo, plain, runNoticeJobs, signUp, smsTo } from './notice-scenario-kit.ts';

const START = new Date('2026-03-02T09:00:00Z');

/**
 * A card that works at sign-up and fails when the trial ends (Stripe's 0341 test card). The
 * payment-failed mail goes out on day 30, follow-ups on recur's schedule (3, 7, 14 days); one
 * customer fixes the card on day 38 and the sequence stops at once, the other never does and
 * gets the final warning by e-mail and SMS.
 */
describe.each(testDatabaseKinds)('dunning on %s', (kind) => {
  let recur: RunningRecur | null = null;
  afterEach(async () => {
    await recur?.close();
    recur = null;
  }, 120_000);

  it('sends payment-failed and follow-ups until the card is fixed, and the final warning by SMS to who never pays', async () => {
    recur = await startRunningRecur(kind, null, { start: START, messaging: true });
    const running = recur;
    await running.startWorker();
    const fixer = { externalId: 'shop-5201', email: 'fixer@example.nl', phone: '+31620000001' };
    const never = { externalId: 'shop-5202', email: 'never@example.nl', phone: '+31620000002' };
    for (const who of [fixer, never]) {
      await signUp(running, { ...who, name: who.externalId, smsConsent: true, plan: 'monthly', card: 'pm_card_chargeCustomerFail' });
    }

    for (let day = 0; day <= 46; day++) {
      if (day === 38) await fixCard(running, fixer.email);
      await runNoticeJobs(running);
      if (day < 46) await advanceSandboxDays(running, 1);
    }

    const dunning = (mails: { sent_at: string; categories: string[] }[]) =>
      mails.map((mail) => [dayOf(START, mail.sent_at), mail.categories[0]]).filter(([day]) => Number(day) >= 30);
    expect(dunning(await mailsTo(running, fixer.email))).toEqual([
      [30, 'payment-failed'],
      [33, 'dunning-reminder'],
      [37, 'dunning-reminder'],
      [38, 'receipt'],
    ]);
    expect((await smsTo(running, fixer.phone)).map((sms) => dayOf(START, new Date(sms.date_created).toISOString()))).toEqual([23]);

    const neverMails = await mailsTo(running, never.email);
    expect(dunning(neverMails).slice(0, 4)).toEqual([
      [30, 'payment-failed'],
      [33, 'dunning-reminder'],
      [37, 'dunning-reminder'],
      [44, 'dunning-final-warning'],
    ]);
    const finalSms = await smsTo(running, never.phone);
    expect(finalSms.map((sms) => dayOf(START, new Date(sms.date_created).toISOString()))).toEqual([23, 44]);
    expect(plain(finalSms[1]!.body)).toContain('€ 29,99');
    const failed = neverMails.find((mail) => mail.categories[0] === 'payment-failed')!;
    expect(plain(failed.text)).toContain('€ 29,99');
    expect(failed.text).toContain('/links/payment-method?token=');
  }, 300_000);
});

/** The customer puts a working card on file and the open invoice is paid with it, as the billing portal does. */
async function fixCard(recur: RunningRecur, email: string): Promise<void> {
  const stripe = recur.kit.stripe;
  const [customer] = (await stripe.customers.list({ email, limit: 1 })).data;
  const card = await stripe.paymentMethods.attach('pm_card_visa', { customer: customer!.id });
  await stripe.customers.update(customer!.id, { invoice_settings: { default_payment_method: card.id } });
  const [subscription] = (await stripe.subscriptions.list({ customer: customer!.id, limit: 1 })).data;
  await stripe.subscriptions.update(subscription!.id, { default_payment_method: card.id });
  const open = (await stripe.invoices.list({ customer: customer!.id, status: 'open', limit: 10 })).data;
  for (const invoice of open) await stripe.invoices.pay(invoice.id!, { payment_method: card.id });
}
