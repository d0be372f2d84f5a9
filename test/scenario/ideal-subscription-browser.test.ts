import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectAccessible } from '../support/axe-check.ts';
import { skipWithoutChromium, startBrowserSession, startShopSite, type BrowserSession, type SandboxMail, type ShopSite } from '../support/browser-session.ts';
import { poll } from '../support/poll.ts';
import { testDatabaseKinds } from '../support/test-database.ts';

/**
 * A Dutch customer subscribes with iDEAL in a real browser, against a key-less `recur start` whose
 * monthly plan offers iDEAL, card and SEPA Direct Debit: the sandbox's Checkout page, the bank's
 * page, back at the shop. The bank's approval sets up the SEPA mandate the renewals are debited
 * under (the sandbox lets the test pick the account the debits draw on). The trial reminder is the
 * SEPA pre-notification; at the trial's end the first debit processes, then the bank answers:
 * returned for one customer (past due, the direct-debit-returned notice), paid for the other (the
 * period moves, a receipt).
 */
const DAY_MS = 86_400_000;
const CREDITOR = 'NL69ZZZ123456780000';
/** Stripe's SEPA test IBANs that the bank answers three minutes after the debit. */
const ACCOUNT = { paysLater: 'AT321904300235473204', returnedLater: 'AT871904300235473205' } as const;
const CATALOGUE = {
  plans: [{ id: 'monthly', name: 'Monthly', names: { nl: 'Maandelijks' }, interval: 'month', amountMinor: 2999, currency: 'EUR', trialDays: 30, paymentMethods: ['ideal', 'card', 'sepa_debit'] }],
};

type Subscription = { id: string; status: string; trial_end: string; current_period_end: string; mandate_reference: string | null };
type Payment = { status: string; method_type: string | null; mandate_reference: string | null; amount: { amount_minor: number } };

describe.skipIf(skipWithoutChromium('iDEAL subscription browser test')).each(testDatabaseKinds)('an iDEAL subscription with SEPA renewals, in a browser (%s)', (kind) => {
  let session: BrowserSession;
  let shop: ShopSite;

  beforeAll(async () => {
    shop = await startShopSite();
    session = await startBrowserSession(kind, { name: 'recur-ideal-browser', config: CATALOGUE, env: { SEPA_CREDITOR_ID: CREDITOR } });
  }, 120_000);

  afterAll(async () => {
    await session?.close();
    await shop?.close();
  });

  const sandbox = async (path: string, body: unknown) => {
    const response = await fetch(`${session.sandboxUrl()}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    expect(response.status, await response.clone().text()).toBe(200);
  };
  const mail = (address: string, template: string) =>
    poll(`${template} to ${address}`, async () => (await session.mailsTo(address)).find((entry) => entry.categories[0] === template) ?? null, 60_000, async () => (await session.mailsTo(address)).map((entry) => entry.categories[0]));
  const plain = (entry: SandboxMail) => (entry.text ?? '').replace(/\u00a0|\u202f/g, ' ').replace(/ +/g, ' ');
  const dateIn = (instant: number) => new Intl.DateTimeFormat('nl-NL', { dateStyle: 'long', timeZone: 'Europe/Amsterdam' }).format(new Date(instant));

  /** Signs up through the shop's checkout link: iDEAL, the bank, the account later debits draw on. */
  async function subscribeWithIdeal(page: Page, externalId: string, email: string, account: string): Promise<Subscription> {
    const { api } = session;
    expect((await api('/v1/customers', { external_id: externalId, email, name: externalId, locale: 'nl', time_zone: 'Europe/Amsterdam' })).status).toBe(201);
    const checkout = await api('/v1/checkout', { customer: externalId, plan: 'monthly', provider: 'stripe', return_url: `${shop.url}/account` });
    expect(checkout.status).toBe(201);
    await page.goto(String(checkout.body.url));
    await page.getByLabel('iDEAL').check();
    await page.getByLabel('Bank', { exact: true }).selectOption('ing');
    await page.getByRole('button', { name: 'Subscribe' }).click();
    await page.waitForURL((url) => url.pathname.startsWith('/stripe/bank/'));
    await page.getByLabel('Later SEPA Direct Debits (sandbox)').selectOption(account);
    await page.getByRole('button', { name: 'Authorize test payment' }).click();
    await page.waitForURL((url) => url.href.startsWith(`${shop.url}/account`));
    const back = new URL(page.url());
    expect(back.searchParams.get('checkout')).toBe('success');
    return (await api(`/v1/subscriptions/${back.searchParams.get('subscription')}`)).body as unknown as Subscription;
  }

  it('pre-notifies the first debit with the mandate, and after processing a returned debit makes it past due while a paid one moves the period', async () => {
    const { api, openBrowser } = session;
    const { page, problems } = await openBrowser();
    const sanne = { id: 'cust-sanne', email: 'sanne@sportwinkel.test' };
    const daan = { id: 'cust-daan', email: 'daan@sportwinkel.test' };
    const returned = await subscribeWithIdeal(page, sanne.id, sanne.email, ACCOUNT.returnedLater);
    const paid = await subscribeWithIdeal(page, daan.id, daan.email, ACCOUNT.paysLater);
    expect(problems).toEqual([]);
    for (const subscription of [returned, paid]) {
      expect(subscription.status).toBe('trialing');
      expect(subscription.mandate_reference).toMatch(/^[A-Z0-9]{8,}$/);
    }
    expect(returned.mandate_reference).not.toBe(paid.mandate_reference);

    // The confirmation at sign-up announces the recurring debits with the mandate they are taken under.
    for (const [who, subscription] of [[sanne, returned], [daan, paid]] as const) {
      expect(plain(await mail(who.email, 'enrolment-confirmation'))).toContain(`Machtigingskenmerk: ${subscription.mandate_reference}`);
    }

    // The portal names the mandate as the way the subscription is paid.
    const link = await api(`/v1/customers/${sanne.id}/portal-sessions`, { return_url: `${shop.url}/account` });
    await page.goto(String(link.body.url));
    expect(await page.locator('main').innerText()).toContain(`SEPA-incasso, machtigingskenmerk ${returned.mandate_reference}`);
    await expectAccessible(page);

    // Seven days before the first debit: the trial reminder is its pre-notification.
    const trialEnd = Date.parse(returned.trial_end);
    await sandbox('/sandbox/clock/advance', { to: new Date(trialEnd - 7 * DAY_MS + 60_000).toISOString() });
    for (const [who, subscription] of [[sanne, returned], [daan, paid]] as const) {
      const reminder = plain(await mail(who.email, 'trial-reminder'));
      expect(reminder).toContain(`Datum van afschrijving: ${dateIn(Date.parse(subscription.trial_end))}`);
      expect(reminder).toContain('Bedrag: € 29,99');
      expect(reminder).toContain(`Machtigingskenmerk: ${subscription.mandate_reference}`);
      expect(reminder).toContain(`Incassant-ID: ${CREDITOR}`);
    }

    // The trial ends: the first debit is taken, and the bank has not answered yet.
    await sandbox('/sandbox/clock/advance', { to: new Date(trialEnd + 60_000).toISOString() });
    for (const who of [sanne, daan]) {
      const payments = await poll(`the processing debit of ${who.id}`, async () => {
        const data = (await api(`/v1/payments?customer=${who.id}`)).body.data as Payment[];
        return data.some((payment) => payment.status === 'processing') ? data : null;
      });
      expect(payments.map((payment) => [payment.status, payment.method_type, payment.amount.amount_minor])).toEqual([['processing', 'sepa_debit', 2999]]);
      expect((await api(`/v1/customers/${who.id}/entitlement`)).body.entitled).toBe(true);
    }

    // An hour later the bank has answered both.
    await sandbox('/sandbox/clock/advance', { to: new Date(trialEnd + 3_600_000).toISOString() });
    const notice = await mail(sanne.email, 'direct-debit-returned');
    expect(notice.subject).toBe('Je incasso van €\u00a029,99 is teruggeboekt');
    expect(plain(notice)).toContain(`Machtigingskenmerk: ${returned.mandate_reference}`);
    expect(plain(notice)).toContain('/links/payment-method?token=');
    // The payment's event told the customer; the subscription's own events follow (any order).
    const subscriptionOf = async (id: string) => (await api(`/v1/subscriptions/${id}`)).body as unknown as Subscription;
    await poll('the returned subscription past due', async () => ((await subscriptionOf(returned.id)).status === 'past_due' ? true : null), 60_000, () => subscriptionOf(returned.id));
    expect(((await api(`/v1/payments?customer=${sanne.id}`)).body.data as Payment[]).map((payment) => payment.status)).toEqual(['failed']);

    await mail(daan.email, 'receipt');
    const renewed = await poll('the paid subscription in its next period', async () => {
      const subscription = await subscriptionOf(paid.id);
      return Date.parse(subscription.current_period_end) > trialEnd + 27 * DAY_MS ? subscription : null;
    }, 60_000, () => subscriptionOf(paid.id));
    expect(renewed.status).toBe('active');
    const daanPayments = (await api(`/v1/payments?customer=${daan.id}`)).body.data as Payment[];
    expect(daanPayments.map((payment) => [payment.status, payment.mandate_reference])).toEqual([['succeeded', paid.mandate_reference]]);
    expect((await session.mailsTo(daan.email)).map((entry) => entry.categories[0])).not.toContain('direct-debit-returned');
  }, 300_000);
});
