import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { DELIVER_NOTIFICATIONS } from '../../src/jobs/deliver-notifications.ts';
import { scheduleDueNotices } from '../../src/notifications/schedule-due-notices.ts';
import { advanceSandboxDays, apiOf, dayOf, mailsTo, runNoticeJobs, type SandboxMail } from '../notifications/notice-scenario-kit.ts';
import { startRunningRecur, waitUntilSettled, type RunningRecur } from '../stripe/running-recur.ts';
import { expectAccessible, seriousViolations } from '../support/axe-check.ts';
import { launchChromium, skipWithoutChromium, startShopSite, type ShopSite } from '../support/browser-session.ts';
import { testDatabaseKinds } from '../support/test-database.ts';

const START = new Date('2026-03-02T09:00:00Z');

/** The link to Stripe's hosted invoice page, as the customer reads it in the mail. */
const invoiceLinkIn = (mail: SandboxMail): string => {
  const link = /https?:\/\/\S+\/stripe\/invoices\/in_[A-Za-z0-9]+/.exec(mail.text ?? '')?.[0];
  if (!link) throw new Error(`no invoice link in "${mail.subject}"`);
  return link;
};

const categoriesFromDay = (start: number, mails: SandboxMail[]) => mails.map((mail) => [dayOf(START, mail.sent_at), mail.categories[0]] as const).filter(([day]) => day >= start);

/**
 * Strong customer authentication on a renewal, clicked through in Chromium: two customers sign up
 * on the sandbox's Stripe Checkout page with the card that asks for 3D Secure on every payment and
 * complete the checkout's own challenge; the trial ends (day 30, paid on the authenticated card),
 * and the off-session renewal on day 60 waits for the customer. One opens the mail SendGrid
 * received, follows its link to Stripe's hosted invoice page and completes the challenge there
 * while a reminder waits in the outbox: the subscription is active again, the payment succeeded,
 * the waiting reminder is not sent and a receipt arrives. The other fails the challenge on the
 * page and never completes: the reminders follow the dunning schedule (3, 7, 14 days) and Stripe's
 * last retry ends the subscription.
 */
describe.skipIf(skipWithoutChromium('renewal authentication browser test')).each(testDatabaseKinds)('a renewal held for 3D Secure, in a browser, on %s', (kind) => {
  let browser: Browser;
  let shop: ShopSite;
  let recur: RunningRecur | null = null;

  beforeAll(async () => {
    browser = await launchChromium();
    shop = await startShopSite();
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await shop?.close();
  });
  afterEach(async () => {
    await recur?.close();
    recur = null;
  }, 120_000);

  /** Checkout on the sandbox's page in the browser: the 3D Secure card, then the page's own challenge, back at the shop. */
  async function signUpInBrowser(page: Page, running: RunningRecur, who: { externalId: string; email: string }): Promise<string> {
    const api = apiOf(running);
    const created = await api('POST', '/v1/customers', { external_id: who.externalId, email: who.email, name: who.externalId, locale: 'nl', time_zone: 'Europe/Amsterdam' });
    expect(created.status).toBe(201);
    const started = await api('POST', '/v1/checkout', { customer: who.externalId, plan: 'monthly', provider: 'stripe', return_url: `${shop.url}/account` });
    expect(started.status).toBe(201);
    await page.goto(((await started.json()) as { url: string }).url);
    await page.getByLabel('Visa 3184 - 3D Secure authentication').check();
    await page.getByRole('button', { name: 'Subscribe' }).click();
    await page.getByRole('heading', { name: '3D Secure authentication' }).waitFor();
    await page.getByRole('button', { name: 'Complete authentication' }).click();
    await page.waitForURL((url) => url.href.startsWith(`${shop.url}/account`));
    const subscriptionId = new URL(page.url()).searchParams.get('subscription');
    if (!subscriptionId) throw new Error(`no subscription in ${page.url()}`);
    return subscriptionId;
  }

  it('completes on the page the mail links to, or fails there and follows dunning to the end', async () => {
    recur = await startRunningRecur(kind, null, { start: START, messaging: true, withoutJobs: [DELIVER_NOTIFICATIONS] });
    const running = recur;
    await running.startWorker();
    const api = apiOf(running);
    const context = await browser.newContext();
    const page = await context.newPage();
    const confirmer = { externalId: 'shop-7101', email: 'bevestigt@example.nl' };
    const failer = { externalId: 'shop-7102', email: 'faalt@example.nl' };
    const ids = { confirmer: await signUpInBrowser(page, running, confirmer), failer: await signUpInBrowser(page, running, failer) };
    const subscription = async (id: string) => (await (await api('GET', `/v1/subscriptions/${id}`)).json()) as { status: string };
    expect(await subscription(ids.confirmer)).toMatchObject({ status: 'trialing' });

    // To the day before the renewal: the first charge (day 30) pays on the card authenticated at sign-up.
    for (const days of [29, 1, 29]) {
      await advanceSandboxDays(running, days);
      await runNoticeJobs(running);
    }
    expect(categoriesFromDay(30, await mailsTo(running, confirmer.email))).toEqual([[30, 'receipt']]);

    let pendingReminder: { id: string; status: string } | undefined;
    for (let day = 60; day <= 76; day++) {
      await advanceSandboxDays(running, 1);
      if (day === 63) {
        // The scheduler writes the day-63 reminder; the customer completes before the delivery pass
        // sends it (the worker runs no delivery of its own here: the test makes each pass).
        await waitUntilSettled(running);
        await scheduleDueNotices(running.t.ctx, running.t.ctx.clock.now());
        const written = await running.t.ctx.db.query<{ id: string; status: string }>(
          `SELECT o.id, o.status FROM notification_outbox o JOIN customers c ON c.id = o.customer_id WHERE c.email = $1 AND o.template = 'payment-action-required' AND o.channel = 'email' AND o.status = 'pending'`,
          [confirmer.email],
        );
        expect(written.rows).toHaveLength(1);
        pendingReminder = written.rows[0];

        const [notice] = (await mailsTo(running, confirmer.email)).filter((mail) => mail.categories[0] === 'payment-action-required');
        expect(dayOf(START, notice!.sent_at)).toBe(60);
        await page.goto(invoiceLinkIn(notice!));
        expect(await page.locator('#authentication').innerText()).toContain('29.99 EUR');
        await expectAccessible(page);
        await page.getByRole('button', { name: 'Complete authentication' }).click();
        await page.locator('#status').filter({ hasText: 'paid' }).waitFor();
        expect(await page.locator('.error').count()).toBe(0);
      }
      if (day === 61) {
        const [notice] = (await mailsTo(running, failer.email)).filter((mail) => mail.categories[0] === 'payment-action-required');
        await page.goto(invoiceLinkIn(notice!));
        await page.getByRole('button', { name: 'Fail authentication' }).click();
        await page.locator('.error').filter({ hasText: 'We are unable to authenticate your payment method.' }).waitFor();
        expect(await page.locator('#status').innerText()).toBe('open');
        // The answer to the form, as shown (the sandbox's pages have no policy that refuses axe's script).
        expect(await seriousViolations(page)).toEqual([]);
      }
      await runNoticeJobs(running);
    }

    // The confirmer: active again, the renewal paid, the waiting reminder never sent, a receipt the day of completing.
    expect(await subscription(ids.confirmer)).toMatchObject({ status: 'active' });
    expect(categoriesFromDay(60, await mailsTo(running, confirmer.email))).toEqual([
      [60, 'payment-action-required'],
      [63, 'receipt'],
    ]);
    const reminder = await running.t.ctx.db.query<{ status: string; last_error: string | null }>('SELECT status, last_error FROM notification_outbox WHERE id = $1', [pendingReminder!.id]);
    expect(reminder.rows[0]).toEqual({ status: 'canceled', last_error: 'the subscription is active, no longer past due' });
    const payments = (await (await api('GET', `/v1/payments?subscription_id=${ids.confirmer}`)).json()) as { data: { status: string; amount: { amount_minor: number } }[] };
    expect(payments.data.map((payment) => payment.status)).toEqual(['succeeded', 'succeeded']);

    // The customer who failed the challenge: every dunning reminder, then Stripe's last retry (day 75) ends it.
    const failerMails = await mailsTo(running, failer.email);
    expect(categoriesFromDay(60, failerMails).filter(([, template]) => template === 'payment-action-required').map(([day]) => day)).toEqual([60, 63, 67, 74]);
    expect(categoriesFromDay(60, failerMails).map(([, template]) => template)).not.toContain('receipt');
    expect(await subscription(ids.failer)).toMatchObject({ status: 'canceled' });
    await context.close();
  }, 400_000);
});
