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
 * The customer portal in a real browser against a key-less `recur start` with the sandbox: a
 * portal link from the API, the trial on the overview, cancel in two clicks, the cancellation
 * e-mail in the sandbox's inbox, resume; the same pages in English; axe-core on the overview, the
 * confirmation and the done page in both languages (no serious or critical violations).
 */
const CHROMIUM = '/usr/bin/chromium';
const AXE = fileURLToPath(new URL('../../node_modules/axe-core/axe.min.js', import.meta.url));
const browserRequired = process.env.RECUR_BROWSER_TESTS === 'required';
const browserMissing = !existsSync(CHROMIUM);
if (browserMissing && !browserRequired) console.warn(`customer portal browser test skipped: no ${CHROMIUM} (apt-get install chromium); CI requires it`);

type AxeViolation = { id: string; impact: string | null; nodes: { target: string[] }[] };
type Mail = { subject: string; status: string };

describe.skipIf(browserMissing && !browserRequired).each(testDatabaseKinds)('the customer portal in a browser (%s)', (kind) => {
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
  const mails = async (to: string) => ((await (await fetch(`${sandboxUrl()}/sandbox/mail?to=${encodeURIComponent(to)}`)).json()) as { data: Mail[] }).data;

  /** A customer whose Stripe checkout was paid on the sandbox's hosted page (a form post), back through recur. */
  async function subscribe(externalId: string, email: string): Promise<string> {
    expect((await api('/v1/customers', { external_id: externalId, email, locale: 'nl', time_zone: 'Europe/Amsterdam' })).status).toBe(201);
    const checkout = await api('/v1/checkout', { customer: externalId, plan: 'monthly', provider: 'stripe', return_url: 'https://sportwinkel.test/account' });
    expect(checkout.status, JSON.stringify(checkout.body)).toBe(201);
    const paid = await fetch(String(checkout.body.url), { method: 'POST', redirect: 'manual', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ card: 'pm_card_visa', action: 'pay' }) });
    expect(paid.status).toBe(303);
    const back = await fetch(String(paid.headers.get('location')), { redirect: 'manual' });
    expect(back.status).toBe(303);
    return new URL(String(back.headers.get('location'))).searchParams.get('subscription')!;
  }

  /** A browser of its own (its own cookie jar); every page error and policy violation is collected. */
  async function openBrowser(): Promise<{ page: Page; problems: string[] }> {
    const context = await browser.newContext();
    contexts.push(context);
    const page = await context.newPage();
    const problems: string[] = [];
    page.on('pageerror', (error) => problems.push(error.message));
    // A policy violation is reported on the console; a missing asset as a failed response.
    page.on('console', (message) => {
      if (message.type() === 'error' && !message.text().startsWith('Failed to load resource')) problems.push(message.text());
    });
    page.on('response', (response) => {
      if (response.status() >= 400 && response.request().resourceType() !== 'document') problems.push(`${response.status()} ${response.url()}`);
    });
    return { page, problems };
  }

  /**
   * axe-core on the page as it stands, in a context that bypasses the page's policy for axe's own
   * script only (the policy allows no injected script); the session's cookie comes along. GET
   * pages change nothing, so opening one a second time is safe.
   */
  async function expectAccessible(page: Page): Promise<void> {
    const context = await browser.newContext({ bypassCSP: true });
    contexts.push(context);
    await context.addCookies(await page.context().cookies());
    const copy = await context.newPage();
    await copy.goto(page.url());
    expect(copy.url()).toBe(page.url());
    await copy.addScriptTag({ path: AXE });
    const violations = await copy.evaluate(async () => {
      const axe = (globalThis as unknown as { axe: { run(): Promise<{ violations: AxeViolation[] }> } }).axe;
      return (await axe.run()).violations.map((violation) => ({ id: violation.id, impact: violation.impact, nodes: violation.nodes.map((node) => ({ target: node.target })) }));
    });
    expect(violations.filter((violation) => violation.impact === 'serious' || violation.impact === 'critical'), page.url()).toEqual([]);
    await context.close();
  }

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'recur-portal-browser-'));
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

  it('opens the portal from a link, shows the trial, cancels in two clicks with an e-mail, resumes; in Dutch and English, accessible', async () => {
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
    const confirmation = await poll('the cancellation e-mail in the sandbox inbox', async () => (await mails(email)).find((mail) => mail.subject.includes('is opgezegd')) ?? null, 60_000, () => mails(email));
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
