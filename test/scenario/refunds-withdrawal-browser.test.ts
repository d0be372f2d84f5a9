import Stripe from 'stripe';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectAccessible } from '../support/axe-check.ts';
import { payStripeCheckout, skipWithoutChromium, startBrowserSession, type BrowserSession } from '../support/browser-session.ts';
import { poll } from '../support/poll.ts';
import { testDatabaseKinds } from '../support/test-database.ts';

/**
 * Withdrawal and the admin's refund in a real browser against a key-less `recur start` with the
 * sandbox, plans charged at sign-up (no trial) so there is money to give back: the customer
 * withdraws in two clicks in Dutch and in English and gets the acknowledgement e-mail; staff refund
 * part of a payment with a double click on the confirmation, and Stripe (read through its SDK)
 * holds one refund. axe-core on every page of both flows: no serious or critical violations.
 */
const STAFF = { username: 'anna.staff', password: 'a long staff password 2026' };
const CONFIG = {
  plans: [
    { id: 'monthly', name: 'Monthly', names: { nl: 'Maandelijks' }, interval: 'month', amountMinor: 2999, currency: 'EUR', trialDays: 0 },
    { id: 'yearly', name: 'Yearly', names: { nl: 'Jaarlijks' }, interval: 'year', amountMinor: 29990, currency: 'EUR', trialDays: 0 },
  ],
  withdrawal: { refund: 'full' },
};

/** Text as a reader sees it: the no-break spaces Intl puts in amounts and times as plain spaces. */
const plain = (text: string): string => text.replace(/[\u00a0\u202f]/g, ' ');

describe.skipIf(skipWithoutChromium('refund and withdrawal browser test')).each(testDatabaseKinds)('withdrawal and the admin refund in a browser (%s)', (kind) => {
  let session: BrowserSession;

  const stripe = () => new Stripe('sk_test_recur_sandbox', { host: '127.0.0.1', port: Number(new URL(session.sandboxUrl()).port), protocol: 'http' });

  /** A customer who paid the monthly plan on the sandbox's hosted page; the payment recorded by recur. */
  async function subscribe(externalId: string, email: string, locale: 'nl' | 'en'): Promise<{ subscriptionId: string; payment: { id: string; provider_payment_id: string } }> {
    expect((await session.api('/v1/customers', { external_id: externalId, email, locale, time_zone: 'Europe/Amsterdam' })).status).toBe(201);
    const checkout = await session.api('/v1/checkout', { customer: externalId, plan: 'monthly', provider: 'stripe', return_url: 'https://sportwinkel.test/account' });
    expect(checkout.status, JSON.stringify(checkout.body)).toBe(201);
    const subscriptionId = await payStripeCheckout(String(checkout.body.url));
    const payment = await poll('the first payment recorded', async () => ((await session.api(`/v1/payments?customer=${externalId}&status=succeeded`)).body.data as { id: string; provider_payment_id: string }[])[0] ?? null);
    return { subscriptionId, payment };
  }

  beforeAll(async () => {
    session = await startBrowserSession(kind, { name: 'recur-refunds-browser', config: CONFIG, staff: STAFF });
  }, 120_000);

  afterAll(() => session?.close());

  it('withdraws in two clicks in Dutch and English with a full refund and the e-mail; accessible', async () => {
    const { api, mailsTo, openBrowser } = session;
    const flows = [
      { customer: 'cust-sanne', email: 'sanne@sportwinkel.test', locale: 'nl' as const, control: 'Herroepen: overeenkomst hier ontbinden', confirm: 'Herroeping bevestigen', refund: 'Je krijgt € 29,99 terug', done: 'We betalen € 29,99 terug', subject: 'herroepen' },
      { customer: 'cust-paul', email: 'paul@sportwinkel.test', locale: 'en' as const, control: 'Withdraw from contract here', confirm: 'Confirm withdrawal', refund: 'You get €29.99 back', done: 'We are refunding €29.99', subject: 'you withdrew' },
    ];
    for (const flow of flows) {
      const { subscriptionId, payment } = await subscribe(flow.customer, flow.email, flow.locale);
      const link = await api(`/v1/customers/${flow.customer}/portal-sessions`, { return_url: 'https://sportwinkel.test/account' });
      const { page, problems } = await openBrowser();
      await page.goto(String(link.body.url));
      await expectAccessible(page);
      // Click one: the control on the overview.
      await page.getByRole('link', { name: flow.control }).click();
      expect(new URL(page.url()).pathname).toBe('/portal/withdraw');
      expect(plain(await page.locator('main').innerText())).toContain(flow.refund);
      expect(await page.getByRole('button').allTextContents()).toEqual([flow.confirm]);
      await expectAccessible(page);
      // Click two: confirm.
      await page.getByRole('button', { name: flow.confirm }).click();
      await page.waitForURL((url) => url.pathname === '/portal/withdrawn');
      expect(plain(await page.getByRole('status').innerText())).toContain(flow.done);
      await expectAccessible(page);
      const acknowledgement = await poll('the acknowledgement in the sandbox inbox', async () => (await mailsTo(flow.email)).find((mail) => mail.categories[0] === 'withdrawal-confirmation') ?? null, 60_000, () => mailsTo(flow.email));
      expect(acknowledgement.subject).toContain(flow.subject);
      expect((await stripe().refunds.list({ payment_intent: payment.provider_payment_id })).data.map((refund) => refund.amount)).toEqual([2999]);
      expect((await api(`/v1/subscriptions/${subscriptionId}`)).body.status).toBe('canceled');
      await page.getByRole('link', { name: flow.locale === 'nl' ? 'Terug naar het overzicht' : 'Back to the overview' }).click();
      expect(await page.getByRole('link', { name: flow.control }).count()).toBe(0);
      expect(problems).toEqual([]);
    }
  }, 300_000);

  it('refunds part of a payment from the customer page with a confirmation; a double click refunds once; accessible', async () => {
    const { recur, openBrowser, signInAsStaff } = session;
    const { payment } = await subscribe('cust-ruud', 'ruud@sportwinkel.test', 'nl');
    const { page, problems } = await openBrowser();
    await signInAsStaff(page);
    await page.goto(`${recur.url}/admin/customers/cust-ruud`);
    await page.getByRole('link', { name: /^Refund the payment of EUR 29\.99/ }).click();
    expect(new URL(page.url()).pathname).toBe(`/admin/payments/${payment.id}/refund`);
    await expectAccessible(page);
    await page.getByLabel('Amount to refund (EUR)').fill('10.00');
    await page.getByLabel('Reason').fill('Goodwill: the parcel was late');
    await page.getByRole('button', { name: 'Refund now' }).dblclick();
    await page.waitForURL((url) => url.pathname.startsWith('/admin/refunds/'));
    expect(await page.getByRole('status').innerText()).toBe('stripe refunded EUR 10.00 of this payment.');
    await expectAccessible(page);
    expect((await stripe().refunds.list({ payment_intent: payment.provider_payment_id })).data.map((refund) => refund.amount)).toEqual([1000]);
    await page.getByRole('link', { name: 'Back to the customer' }).click();
    expect(await page.getByRole('table', { name: 'Payments' }).textContent()).toContain('partially refunded');
    await expectAccessible(page);
    expect(problems).toEqual([]);
  }, 300_000);
});
