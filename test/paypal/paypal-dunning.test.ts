import { afterEach, describe, expect, it } from 'vitest';
import { deliverDueNotifications } from '../../src/notifications/deliver-due-notifications.ts';
import { scheduleDueNotices } from '../../src/notifications/schedule-due-notices.ts';
import { endLapsedSubscriptions } from '../../src/services/subscription-changes/end-lapsed-subscriptions.ts';
import { accessToken, paypalCall } from '../sandbox/paypal/paypal-kit.ts';
import { testDatabaseKinds } from '../support/test-database.ts';
import { dayOf, plain, type SandboxMail } from '../notifications/notice-scenario-kit.ts';
import { onDay, RENEWALS_FAIL, startPaypalRecur, subscriptionRow, type PaypalRecur } from './events/paypal-events-kit.ts';

/**
 * What recur's scheduled jobs do in a day: events processed, lapsed subscriptions ended (and what
 * PayPal says of that applied), due notices found, the outbox delivered, SendGrid's callbacks back in.
 */
async function runNoticeJobs(recur: PaypalRecur): Promise<void> {
  await recur.settle();
  const ctx = recur.t.ctx;
  expect((await endLapsedSubscriptions(ctx, ctx.clock.now())).failed).toEqual([]);
  await recur.settle();
  await scheduleDueNotices(ctx, ctx.clock.now());
  await deliverDueNotifications({ ...ctx, messaging: ctx.messaging!, random: () => 0.5 });
  await recur.sandbox.ctx.webhooks.flush();
}

async function mailsTo(recur: PaypalRecur, email: string): Promise<SandboxMail[]> {
  const response = await fetch(`${recur.sandbox.url}/sandbox/mail?to=${encodeURIComponent(email)}`);
  return ((await response.json()) as { data: SandboxMail[] }).data.reverse();
}

async function entitlement(recur: PaypalRecur, customerId: string): Promise<{ entitled: boolean; reason: string }> {
  const externalId = (await recur.t.ctx.db.query<{ external_id: string }>('SELECT external_id FROM customers WHERE id = $1', [customerId])).rows[0]!.external_id;
  const response = await recur.t.app.inject({ method: 'GET', url: `/v1/customers/${externalId}/entitlement`, headers: { authorization: recur.t.auth } });
  return response.json();
}

async function statusAtPaypal(recur: PaypalRecur, id: string): Promise<string> {
  return (await paypalCall(recur.sandbox.url, await accessToken(recur.sandbox.url), 'GET', `/v1/billing/subscriptions/${id}`)).body.status as string;
}

async function outbox(recur: PaypalRecur, customerId: string): Promise<{ template: string; status: string }[]> {
  const result = await recur.t.ctx.db.query<{ template: string; status: string }>("SELECT template, status FROM notification_outbox WHERE customer_id = $1 AND channel = 'email' ORDER BY created_at, template", [customerId]);
  return result.rows;
}

/**
 * Two Dutch customers whose PayPal renewals fail when the trial ends (the sandbox's failing
 * payer): PayPal declines on day 30, retries 5 days later at most twice and suspends at the plan's
 * threshold. recur shows past due from the first decline, sends the payment-failed notice and the
 * follow-ups on its own schedule (3, 7, 14 days) in Dutch; the customer who fixes the funding on
 * day 31 is charged by PayPal's retry on day 35, becomes active and hears nothing more about it.
 */
describe.each(testDatabaseKinds)('PayPal failed renewals and dunning on %s', (kind) => {
  let recur: PaypalRecur | undefined;
  afterEach(async () => {
    await recur?.close();
    recur = undefined;
  }, 120_000);

  it('past due from the first decline through retries and suspension, dunning in Dutch, and none after the funding is fixed', async () => {
    recur = await startPaypalRecur(kind, null, { messaging: true });
    const running = recur;
    const fixer = await running.subscribe(RENEWALS_FAIL.replace('@', '+fixer@'), { email: 'fixer@example.nl', name: 'Fenna Visser', locale: 'nl' });
    const never = await running.subscribe(RENEWALS_FAIL.replace('@', '+never@'), { email: 'never@example.nl', name: 'Nout de Groot', locale: 'nl' });
    await runNoticeJobs(running);
    const start = onDay(0);

    for (let day = 1; day <= 46; day++) {
      if (day === 31) {
        const fixed = await fetch(`${running.sandbox.url}/paypal/sandbox/subscriptions/${fixer.subscriptionId}/fix-funding`, { method: 'POST' });
        expect(fixed.status).toBe(200);
      }
      await running.moveToDay(day);
      await runNoticeJobs(running);
      if (day === 30 || day === 35) {
        expect(await subscriptionRow(running.t, never.subscriptionId), `day ${day}`).toMatchObject({ status: 'past_due', provider_status: 'ACTIVE:PAYMENT_FAILED', past_due_since: onDay(30) });
      }
      if (day === 30) expect(await subscriptionRow(running.t, fixer.subscriptionId)).toMatchObject({ status: 'past_due', past_due_since: onDay(30) });
      if (day === 35) expect(await subscriptionRow(running.t, fixer.subscriptionId)).toMatchObject({ status: 'active', provider_status: 'ACTIVE', past_due_since: null, current_period_start: onDay(35) });
      if (day === 40) expect(await subscriptionRow(running.t, never.subscriptionId)).toMatchObject({ status: 'past_due', provider_status: 'SUSPENDED:PAYMENT_FAILED', past_due_since: onDay(30) });
      // Entitled through the past-due grace (7 days from the first decline), not after.
      if (day === 36) expect(await entitlement(running, never.customerId)).toMatchObject({ entitled: true, reason: 'past_due_grace' });
      if (day === 37) expect(await entitlement(running, never.customerId)).toMatchObject({ entitled: false, reason: 'past_due_expired' });
      // PayPal keeps it suspended for ever; recur ends it the day after the final warning.
      if (day === 44) expect([(await subscriptionRow(running.t, never.subscriptionId))!.status, await statusAtPaypal(running, never.subscriptionId)]).toEqual(['past_due', 'SUSPENDED']);
      if (day === 45) {
        expect(await statusAtPaypal(running, never.subscriptionId)).toBe('CANCELLED');
        expect(await subscriptionRow(running.t, never.subscriptionId)).toMatchObject({ status: 'canceled', provider_status: 'CANCELLED', canceled_at: onDay(45) });
        expect(await entitlement(running, never.customerId)).toMatchObject({ entitled: false });
      }
    }

    const fromDay30 = (mails: SandboxMail[]) => mails.map((mail) => [dayOf(start, mail.sent_at), mail.categories[0]]).filter(([day]) => Number(day) >= 30);
    expect(fromDay30(await mailsTo(running, 'fixer@example.nl'))).toEqual([
      [30, 'payment-failed'],
      [33, 'dunning-reminder'],
      [35, 'receipt'],
    ]);
    // Nothing of the dunning sequence waits in the outbox for the customer who paid.
    const fixerOutbox = await outbox(running, fixer.customerId);
    expect(fixerOutbox.filter((row) => ['dunning-reminder', 'dunning-final-warning'].includes(row.template) && row.status !== 'delivered' && row.status !== 'suppressed')).toEqual([]);
    expect(fixerOutbox.filter((row) => row.template === 'dunning-reminder')).toHaveLength(1);
    expect(fixerOutbox.filter((row) => row.template === 'dunning-final-warning')).toEqual([]);

    const neverMails = await mailsTo(running, 'never@example.nl');
    expect(fromDay30(neverMails)).toEqual([
      [30, 'payment-failed'],
      [33, 'dunning-reminder'],
      [37, 'dunning-reminder'],
      [44, 'dunning-final-warning'],
      [45, 'cancellation-confirmation'],
    ]);
    expect(await statusAtPaypal(running, fixer.subscriptionId)).toBe('ACTIVE');
    const failed = neverMails.find((mail) => mail.categories[0] === 'payment-failed')!;
    expect(plain(failed.text)).toContain('€ 29,99');
    expect(neverMails.every((mail) => mail.status === 'delivered')).toBe(true);
  }, 300_000);
});
