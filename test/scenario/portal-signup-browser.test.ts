import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectAccessible } from '../support/axe-check.ts';
import { payStripeCheckout, skipWithoutChromium, startBrowserSession, type BrowserSession } from '../support/browser-session.ts';
import { poll } from '../support/poll.ts';
import { testDatabaseKinds } from '../support/test-database.ts';

/**
 * The portal's plan picker in a real browser against a key-less `recur start` with the sandbox: a
 * portal link from the API for a customer without a subscription, the picker with the trial
 * terms and the consent box (refused without it), the yearly plan paid on the sandbox's Stripe
 * Checkout page, back in the portal with the trial; in English the monthly plan through PayPal's
 * approval page. axe-core on every page shown (no serious or critical violations), both languages.
 */
const DAY_MS = 86_400_000;

describe.skipIf(skipWithoutChromium('portal plan picker browser test')).each(testDatabaseKinds)('the portal plan picker in a browser (%s)', (kind) => {
  let session: BrowserSession;

  /** The date of the first charge as the picker states it: the sandbox clock's now plus the 30-day trial, in Amsterdam. */
  const firstChargeIn = async (tag: string) => {
    const { now } = (await (await fetch(`${session.sandboxUrl()}/sandbox/clock`)).json()) as { now: string };
    return new Intl.DateTimeFormat(tag, { dateStyle: 'long', timeZone: 'Europe/Amsterdam' }).format(new Date(Date.parse(now) + 30 * DAY_MS));
  };

  beforeAll(async () => {
    session = await startBrowserSession(kind, { name: 'recur-signup-browser' });
  }, 120_000);

  afterAll(() => session?.close());

  it('picks the yearly plan with the terms and consent, pays in the Stripe checkout, and lands in the portal with the trial (Dutch)', async () => {
    const { api, sandboxUrl, openBrowser } = session;
    expect((await api('/v1/customers', { external_id: 'cust-lotte', email: 'lotte@sportwinkel.test', locale: 'nl', time_zone: 'Europe/Amsterdam' })).status).toBe(201);
    const link = await api('/v1/customers/cust-lotte/portal-sessions', { return_url: 'https://sportwinkel.test/account' });
    expect(link.status).toBe(201);
    const firstCharge = await firstChargeIn('nl-NL');

    const { page, problems } = await openBrowser();
    await page.goto(String(link.body.url));
    expect(new URL(page.url()).pathname).toBe('/portal');
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('Mijn abonnement');
    const main = await page.locator('main').innerText();
    expect(main).toContain('Kies je abonnement');
    expect(main).toContain('Je bespaart €\u00a059,98 per jaar ten opzichte van maandelijks betalen.');
    expect(main).toContain(`Gratis proefperiode: 30 dagen, tot ${firstCharge}. Vandaag betaal je niets.`);
    expect(main).toContain(`Na de proefperiode kost Jaarlijks €\u00a0299,90 per jaar: de eerste betaling is op ${firstCharge}`);
    expect(main).toContain('met de knop "Abonnement opzeggen"');
    await expectAccessible(page);

    const consent = page.getByRole('region', { name: 'Jaarlijks' }).getByLabel('Ik heb de voorwaarden hierboven gelezen en ga akkoord, ook met de datum en het bedrag van de eerste betaling.');
    expect(await consent.isChecked()).toBe(false);
    // Without the box: the picker again, saying what is missing.
    const sendUnticked = async (on: Page) => {
      await on.getByRole('region', { name: 'Jaarlijks' }).getByRole('button', { name: 'Jaarlijks kiezen en betalen' }).click();
      await on.waitForURL((url) => url.pathname === '/portal/signup');
    };
    await expectAccessible(page, { after: sendUnticked });
    await sendUnticked(page);
    expect(await page.getByRole('alert').innerText()).toBe('Vink het vakje aan om akkoord te gaan met de voorwaarden van Jaarlijks. Er is niets besteld.');

    // By keyboard: tick the box with the space bar, then the button.
    const again = page.getByRole('region', { name: 'Jaarlijks' });
    expect(await again.getByLabel('Betaalkaart of creditcard (Stripe)').isChecked()).toBe(true);
    await again.getByLabel(/Ik heb de voorwaarden hierboven gelezen/).focus();
    await page.keyboard.press('Space');
    await again.getByRole('button', { name: 'Jaarlijks kiezen en betalen' }).click();
    await page.waitForURL((url) => url.href.startsWith(sandboxUrl()));
    await page.getByRole('button', { name: 'Subscribe' }).click();
    await page.waitForURL((url) => url.pathname === '/portal' && url.searchParams.get('checkout') === 'success');
    expect(await page.getByRole('status').innerText()).toBe('Welkom! Je abonnement is afgesloten.');
    const home = await page.locator('main').innerText();
    expect(home).toContain(`Proefperiode tot ${firstCharge}`);
    expect(home).not.toContain('Kies je abonnement');
    await expectAccessible(page);
    const subscriptions = (await api('/v1/subscriptions?customer=cust-lotte')).body.data as { plan: string; status: string; provider: string }[];
    expect(subscriptions).toMatchObject([{ plan: 'yearly', status: 'trialing', provider: 'stripe' }]);
    expect(problems).toEqual([]);
  }, 300_000);

  it('picks the monthly plan through PayPal and lands in the portal with the trial (English)', async () => {
    const { api, sandboxUrl, openBrowser } = session;
    expect((await api('/v1/customers', { external_id: 'cust-emma', email: 'emma@sportwinkel.test', locale: 'en', time_zone: 'Europe/Amsterdam' })).status).toBe(201);
    const link = await api('/v1/customers/cust-emma/portal-sessions', { return_url: 'https://sportwinkel.test/account' });
    const firstCharge = await firstChargeIn('en-GB');

    const { page, problems } = await openBrowser();
    await page.goto(String(link.body.url));
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('My subscription');
    const main = await page.locator('main').innerText();
    expect(main).toContain('Choose your subscription');
    expect(main).toContain(`Free trial: 30 days, until ${firstCharge}. You pay nothing today.`);
    expect(main).toContain(`After the trial, Monthly costs €29.99 per month: the first charge is on ${firstCharge}`);
    await expectAccessible(page);

    const monthly = page.getByRole('region', { name: 'Monthly' });
    await monthly.getByLabel('PayPal').check();
    await monthly.getByLabel('I have read the terms above and agree to them, including the date and amount of the first charge.').check();
    await monthly.getByRole('button', { name: 'Choose Monthly and pay' }).click();
    await page.waitForURL((url) => url.href.startsWith(sandboxUrl()));
    await page.getByRole('button', { name: 'Agree & Subscribe' }).click();
    await page.waitForURL((url) => url.pathname === '/portal' && url.searchParams.has('checkout'), { timeout: 60_000 });
    expect(new URL(page.url()).searchParams.get('checkout')).toBe('success');
    expect(await page.getByRole('status').innerText()).toBe('Welcome! Your subscription is set up.');
    expect(await page.locator('main').innerText()).toContain(`Free trial until ${firstCharge}`);
    await expectAccessible(page);
    const subscriptions = (await api('/v1/subscriptions?customer=cust-emma')).body.data as { plan: string; status: string; provider: string }[];
    expect(subscriptions).toMatchObject([{ plan: 'monthly', status: 'trialing', provider: 'paypal' }]);
    expect(problems).toEqual([]);
  }, 300_000);

  it('follows the manage link in a notice to a page that e-mails a fresh portal link, which opens the portal (Dutch)', async () => {
    // A customer who signed up through the API (the hosted page posted as a browser would); the sign-up confirmation carries the manage link.
    const { api, mailsTo, openBrowser } = session;
    expect((await api('/v1/customers', { external_id: 'cust-noor', email: 'noor@sportwinkel.test', locale: 'nl', time_zone: 'Europe/Amsterdam' })).status).toBe(201);
    const checkout = await api('/v1/checkout', { customer: 'cust-noor', plan: 'yearly', provider: 'stripe', return_url: 'https://sportwinkel.test/account' });
    await payStripeCheckout(String(checkout.body.url));
    const mails = () => mailsTo('noor@sportwinkel.test');
    const confirmation = await poll('the sign-up confirmation', async () => (await mails()).find((mail) => /\/links\/portal\?token=/.test(mail.text ?? '')) ?? null, 120_000, mails);
    const manage = /(http:\/\/\S+\/links\/portal\?token=[A-Za-z0-9_.-]+)/.exec(confirmation.text ?? '')![1]!;

    const { page, problems } = await openBrowser();
    await page.goto(manage);
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('Je abonnement beheren');
    expect(await page.locator('main').innerText()).toContain('naar n•••@sportwinkel.test');
    await expectAccessible(page);
    await page.getByRole('button', { name: 'Stuur mij de link' }).click();
    await page.waitForURL((url) => url.pathname === '/links/portal');
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('Kijk in je mailbox');
    // The page answering the button, reached again in the copy: within ten minutes it says one was sent already, and sends nothing.
    await expectAccessible(page, {
      url: manage,
      after: async (copy) => {
        await copy.getByRole('button', { name: 'Stuur mij de link' }).click();
        await copy.waitForURL((url) => url.pathname === '/links/portal');
        expect(await copy.locator('main').innerText()).toContain('We hebben zojuist al een link naar n•••@sportwinkel.test gestuurd');
      },
    });

    const sent = await poll('the portal link e-mail', async () => (await mails()).find((mail) => mail.subject.startsWith('Je link naar je abonnement')) ?? null, 60_000, mails);
    const entry = /(http:\/\/\S+\/portal\/enter\?token=[A-Za-z0-9_-]+)/.exec(sent.text ?? '')![1]!;
    await page.goto(entry);
    expect(new URL(page.url()).pathname).toBe('/portal');
    expect(await page.locator('main').innerText()).toContain('Jaarlijks');
    expect((await mails()).filter((mail) => mail.subject.startsWith('Je link naar je abonnement'))).toHaveLength(1);
    expect(problems).toEqual([]);
  }, 300_000);
});
