import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { killSpawnedProcesses, runRecur, startRecur, type RunningRecur } from '../fixtures/recur-process.ts';
import { freePort } from '../support/free-port.ts';
import { poll } from '../support/poll.ts';
import { openTestDatabase, testDatabaseKinds, type TestDatabase } from '../support/test-database.ts';

/**
 * The portal's plan picker in a real browser against a key-less `recur start` with the sandbox: a
 * portal link from the API for a customer without a subscription, the picker with the trial
 * terms and the consent box (refused without it), the yearly plan paid on the sandbox's Stripe
 * Checkout page, back in the portal with the trial; in English the monthly plan through PayPal's
 * approval page. axe-core on every page shown (no serious or critical violations), both languages.
 */
const CHROMIUM = '/usr/bin/chromium';
const AXE = fileURLToPath(new URL('../../node_modules/axe-core/axe.min.js', import.meta.url));
const browserRequired = process.env.RECUR_BROWSER_TESTS === 'required';
const browserMissing = !existsSync(CHROMIUM);
if (browserMissing && !browserRequired) console.warn(`portal plan picker browser test skipped: no ${CHROMIUM} (apt-get install chromium); CI requires it`);

type AxeViolation = { id: string; impact: string | null; nodes: { target: string[] }[] };
const DAY_MS = 86_400_000;

describe.skipIf(browserMissing && !browserRequired).each(testDatabaseKinds)('the portal plan picker in a browser (%s)', (kind) => {
  let dir: string;
  let database: TestDatabase | undefined;
  let recur: RunningRecur;
  let browser: Browser;
  let apiKey: string;
  const contexts: BrowserContext[] = [];

  const env = (port: number): Record<string, string> => ({
    RECUR_DATA_DIR: join(dir, '.recur'),
    LOG_LEVEL: 'warn',
    PORT: String(port),
    SANDBOX_PORT: '0',
    SHOP_NAME: 'Sportwinkel de Vries',
    ...(database ? { DATABASE_URL: database.url! } : {}),
  });
  const sandboxUrl = () => /sandbox providers on (http:\/\/\S+) /.exec(recur.stderr())![1]!;
  const api = async (path: string, body?: unknown) => {
    const response = await fetch(`${recur.url}${path}`, {
      method: body ? 'POST' : 'GET',
      headers: { authorization: `Bearer ${apiKey}`, ...(body ? { 'content-type': 'application/json' } : {}) },
      ...(body ? { body: JSON.stringify(body) } : {}),
    });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  };
  /** The date of the first charge as the picker states it: the sandbox clock's now plus the 30-day trial, in Amsterdam. */
  const firstChargeIn = async (tag: string) => {
    const { now } = (await (await fetch(`${sandboxUrl()}/sandbox/clock`)).json()) as { now: string };
    return new Intl.DateTimeFormat(tag, { dateStyle: 'long', timeZone: 'Europe/Amsterdam' }).format(new Date(Date.parse(now) + 30 * DAY_MS));
  };

  async function openBrowser(): Promise<{ page: Page; problems: string[] }> {
    const context = await browser.newContext();
    contexts.push(context);
    const page = await context.newPage();
    const problems: string[] = [];
    page.on('pageerror', (error) => problems.push(error.message));
    // A policy violation (a form-action the page's policy does not allow) is reported on the console.
    page.on('console', (message) => {
      if (message.type() === 'error' && !message.text().startsWith('Failed to load resource')) problems.push(`${page.url()}: ${message.text()}`);
    });
    page.on('response', (response) => {
      if (response.status() >= 400 && response.request().resourceType() !== 'document') problems.push(`${response.status()} ${response.url()}`);
    });
    return { page, problems };
  }

  /** axe-core on a GET page as it stands, in a context that lets axe's own script in; the session's cookie comes along. */
  async function expectAccessible(page: Page, after?: (copy: Page) => Promise<void>, from = page.url()): Promise<void> {
    const context = await browser.newContext({ bypassCSP: true });
    contexts.push(context);
    await context.addCookies(await page.context().cookies());
    const copy = await context.newPage();
    await copy.goto(from);
    expect(copy.url()).toBe(from);
    // A page that answers a form (a POST that changes nothing) is reached the same way in the copy.
    if (after) await after(copy);
    await expectNoSeriousViolations(copy);
    await context.close();
  }

  async function expectNoSeriousViolations(page: Page): Promise<void> {
    await page.addScriptTag({ path: AXE });
    const violations = await page.evaluate(async () => {
      const axe = (globalThis as unknown as { axe: { run(): Promise<{ violations: AxeViolation[] }> } }).axe;
      return (await axe.run()).violations.map((violation) => ({ id: violation.id, impact: violation.impact, nodes: violation.nodes.map((node) => ({ target: node.target })) }));
    });
    expect(violations.filter((violation) => violation.impact === 'serious' || violation.impact === 'critical'), page.url()).toEqual([]);
  }

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'recur-signup-browser-'));
    if (kind === 'postgres') database = await openTestDatabase('postgres');
    const port = await freePort();
    recur = await startRecur({ cwd: dir, env: env(port), timeoutMs: 90_000 });
    const created = await runRecur(['keys', 'create', '--name', 'webshop backend'], { cwd: dir, env: env(port) });
    expect(created.code, created.stderr).toBe(0);
    apiKey = created.stdout.trim().split('\n')[0]!;
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'] });
  }, 120_000);

  afterAll(async () => {
    for (const context of contexts) await context.close().catch(() => undefined);
    await browser?.close();
    await killSpawnedProcesses();
    await database?.dispose();
    rmSync(dir, { recursive: true, force: true });
  });

  it('picks the yearly plan with the terms and consent, pays in the Stripe checkout, and lands in the portal with the trial (Dutch)', async () => {
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
    await expectAccessible(page, sendUnticked);
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
    expect((await api('/v1/customers', { external_id: 'cust-noor', email: 'noor@sportwinkel.test', locale: 'nl', time_zone: 'Europe/Amsterdam' })).status).toBe(201);
    const checkout = await api('/v1/checkout', { customer: 'cust-noor', plan: 'yearly', provider: 'stripe', return_url: 'https://sportwinkel.test/account' });
    const paid = await fetch(String(checkout.body.url), { method: 'POST', redirect: 'manual', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ card: 'pm_card_visa', action: 'pay' }) });
    expect((await fetch(String(paid.headers.get('location')), { redirect: 'manual' })).status).toBe(303);
    type Mail = { subject: string; text: string | null };
    const mails = async () => ((await (await fetch(`${sandboxUrl()}/sandbox/mail?to=${encodeURIComponent('noor@sportwinkel.test')}`)).json()) as { data: Mail[] }).data;
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
    await expectAccessible(page, async (copy) => {
      await copy.getByRole('button', { name: 'Stuur mij de link' }).click();
      await copy.waitForURL((url) => url.pathname === '/links/portal');
      expect(await copy.locator('main').innerText()).toContain('We hebben zojuist al een link naar n•••@sportwinkel.test gestuurd');
    }, manage);

    const sent = await poll('the portal link e-mail', async () => (await mails()).find((mail) => mail.subject.startsWith('Je link naar je abonnement')) ?? null, 60_000, mails);
    const entry = /(http:\/\/\S+\/portal\/enter\?token=[A-Za-z0-9_-]+)/.exec(sent.text ?? '')![1]!;
    await page.goto(entry);
    expect(new URL(page.url()).pathname).toBe('/portal');
    expect(await page.locator('main').innerText()).toContain('Jaarlijks');
    expect((await mails()).filter((mail) => mail.subject.startsWith('Je link naar je abonnement'))).toHaveLength(1);
    expect(problems).toEqual([]);
  }, 300_000);
});
