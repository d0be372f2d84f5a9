import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectAccessible } from '../support/axe-check.ts';
import { payStripeCheckout, skipWithoutChromium, startBrowserSession, type BrowserSession } from '../support/browser-session.ts';
import { poll } from '../support/poll.ts';
import { testDatabaseKinds } from '../support/test-database.ts';

/**
 * The customer portal in a real browser against a key-less `recur start` with the sandbox: a
 * portal link from the API, the trial on the overview, cancel in two clicks, the cancellation
 * e-mail in the sandbox's inbox, resume; the same pages in English; axe-core on the overview, the
 * confirmation and the done page in both languages (no serious or critical violations).
 */
describe.skipIf(skipWithoutChromium('customer portal browser test')).each(testDatabaseKinds)('the customer portal in a browser (%s)', (kind) => {
  let session: BrowserSession;

  /** A customer whose Stripe checkout was paid on the sandbox's hosted page (a form post), back through recur. */
  async function subscribe(externalId: string, email: string): Promise<string> {
    expect((await session.api('/v1/customers', { external_id: externalId, email, locale: 'nl', time_zone: 'Europe/Amsterdam' })).status).toBe(201);
    const checkout = await session.api('/v1/checkout', { customer: externalId, plan: 'monthly', provider: 'stripe', return_url: 'https://sportwinkel.test/account' });
    expect(checkout.status, JSON.stringify(checkout.body)).toBe(201);
    return payStripeCheckout(String(checkout.body.url));
  }

  beforeAll(async () => {
    session = await startBrowserSession(kind, { name: 'recur-portal-browser' });
  }, 120_000);

  afterAll(() => session?.close());

  it('opens the portal from a link, shows the trial, cancels in two clicks with an e-mail, resumes; in Dutch and English, accessible', async () => {
    const { api, mailsTo, openBrowser } = session;
    const email = 'anna@sportwinkel.test';
    const subscriptionId = await subscribe('cust-anna', email);
    const trialEnd = new Date(String((await api(`/v1/subscriptions/${subscriptionId}`)).body.trial_end));
    const dateIn = (tag: string) => new Intl.DateTimeFormat(tag, { dateStyle: 'long', timeZone: 'Europe/Amsterdam' }).format(trialEnd);
    const [nlEnd, enEnd] = [dateIn('nl-NL'), dateIn('en-GB')];
    const link = await api('/v1/customers/cust-anna/portal-sessions', { return_url: 'https://sportwinkel.test/account' });
    expect(link.status).toBe(201);

    const { page, problems } = await openBrowser();
    await page.goto(String(link.body.url));
    expect(new URL(page.url()).pathname).toBe('/portal');
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('Mijn abonnement');
    expect(await page.locator('main').innerText()).toContain(`Proefperiode tot ${nlEnd}`);
    expect(await page.getByRole('link', { name: 'Terug naar de winkel' }).getAttribute('href')).toBe('https://sportwinkel.test/account');
    await expectAccessible(page);

    // Click one: the clearly labelled control on the overview.
    await page.getByRole('link', { name: 'Abonnement opzeggen' }).click();
    expect(new URL(page.url()).pathname).toBe('/portal/cancel');
    expect(await page.locator('main').innerText()).toContain(`stopt je abonnement Maandelijks op ${nlEnd}.`);
    expect(await page.getByRole('button').allTextContents()).toEqual(['Nu opzeggen']);
    await expectAccessible(page);
    // Click two: cancel now.
    await page.getByRole('button', { name: 'Nu opzeggen' }).click();
    await page.waitForURL((url) => url.pathname === '/portal/canceled');
    const done = await page.locator('main').innerText();
    expect(done).toContain(`Je abonnement Maandelijks is opgezegd en loopt af op ${nlEnd}.`);
    expect(done).toContain(`We hebben een bevestiging van je opzegging gestuurd naar ${email}.`);
    await expectAccessible(page);
    const confirmation = await poll('the cancellation e-mail in the sandbox inbox', async () => (await mailsTo(email)).find((mail) => mail.subject.includes('is opgezegd')) ?? null, 60_000, () => mailsTo(email));
    expect(confirmation.subject).toBe('Je abonnement Maandelijks bij Sportwinkel de Vries is opgezegd');

    await page.getByRole('link', { name: 'Terug naar het overzicht' }).click();
    expect(await page.locator('main').innerText()).toContain(`Opgezegd, loopt af op ${nlEnd}`);
    await page.getByRole('button', { name: 'Abonnement voortzetten' }).click();
    await page.waitForURL((url) => url.searchParams.has('resumed'));
    expect(await page.getByRole('status').innerText()).toBe('Je abonnement Maandelijks loopt weer door. Er is niets opgezegd.');
    await poll('resumed in recur', async () => ((await api('/v1/subscriptions?customer=cust-anna')).body.data as { cancel_at_period_end: boolean }[])[0]!.cancel_at_period_end === false ? true : null);

    // The link was spent by the first visit: another browser gets a clear page.
    const other = await openBrowser();
    const reused = await other.page.goto(String(link.body.url));
    expect(reused?.status()).toBe(410);
    expect(await other.page.getByRole('heading', { level: 1 }).textContent()).toBe('Deze link is al gebruikt of verlopen');

    // The same pages in English, through a link that asks for English.
    const english = await api('/v1/customers/cust-anna/portal-sessions', { return_url: 'https://sportwinkel.test/account', locale: 'en' });
    const en = await openBrowser();
    await en.page.goto(String(english.body.url));
    expect(await en.page.locator('main').innerText()).toContain(`Free trial until ${enEnd}`);
    await expectAccessible(en.page);
    await en.page.getByRole('link', { name: 'Cancel subscription' }).click();
    expect(await en.page.getByRole('button').allTextContents()).toEqual(['Cancel now']);
    await expectAccessible(en.page);
    await en.page.getByRole('button', { name: 'Cancel now' }).click();
    await en.page.waitForURL((url) => url.pathname === '/portal/canceled');
    expect(await en.page.locator('main').innerText()).toContain(`Your Monthly subscription is cancelled and ends on ${enEnd}.`);
    await expectAccessible(en.page);

    expect([...problems, ...other.problems, ...en.problems]).toEqual([]);
  }, 300_000);
});
