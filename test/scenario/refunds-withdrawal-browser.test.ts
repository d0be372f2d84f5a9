import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import Stripe from 'stripe';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { killSpawnedProcesses, runRecur, startRecur, type RunningRecur } from '../fixtures/recur-process.ts';
import { freePort } from '../support/free-port.ts';
import { poll } from '../support/poll.ts';
import { openTestDatabase, testDatabaseKinds, type TestDatabase } from '../support/test-database.ts';

/**
 * Withdrawal and the admin's refund in a real browser against a key-less `recur start` with the
 * sandbox, plans charged at sign-up (no trial) so there is money to give back: the customer
 * withdraws in two clicks in Dutch and in English and gets the acknowledgement e-mail; staff refund
 * part of a payment with a double click on the confirmation, and Stripe (read through its SDK)
 * holds one refund. axe-core on every page of both flows: no serious or critical violations.
 */
const CHROMIUM = '/usr/bin/chromium';
const AXE = fileURLToPath(new URL('../../node_modules/axe-core/axe.min.js', import.meta.url));
const browserRequired = process.env.RECUR_BROWSER_TESTS === 'required';
const browserMissing = !existsSync(CHROMIUM);
if (browserMissing && !browserRequired) console.warn(`refund and withdrawal browser test skipped: no ${CHROMIUM} (apt-get install chromium); CI requires it`);

const PASSWORD = 'a long staff password 2026';
const CONFIG = {
  plans: [
    { id: 'monthly', name: 'Monthly', names: { nl: 'Maandelijks' }, interval: 'month', amountMinor: 2999, currency: 'EUR', trialDays: 0 },
    { id: 'yearly', name: 'Yearly', names: { nl: 'Jaarlijks' }, interval: 'year', amountMinor: 29990, currency: 'EUR', trialDays: 0 },
  ],
  withdrawal: { refund: 'full' },
};

type AxeViolation = { id: string; impact: string | null; nodes: { target: string[] }[] };
type Mail = { subject: string; categories: string[] };
/** Text as a reader sees it: the no-break spaces Intl puts in amounts and times as plain spaces. */
const plain = (text: string): string => text.replace(/[\u00a0\u202f]/g, ' ');

describe.skipIf(browserMissing && !browserRequired).each(testDatabaseKinds)('withdrawal and the admin refund in a browser (%s)', (kind) => {
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
  const stripe = () => new Stripe('sk_test_recur_sandbox', { host: '127.0.0.1', port: Number(new URL(sandboxUrl()).port), protocol: 'http' });
  const api = async (path: string, body?: unknown) => {
    const response = await fetch(`${recur.url}${path}`, {
      method: body ? 'POST' : 'GET',
      headers: { authorization: `Bearer ${apiKey}`, ...(body ? { 'content-type': 'application/json' } : {}) },
      ...(body ? { body: JSON.stringify(body) } : {}),
    });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  };
  const mails = async (to: string) => ((await (await fetch(`${sandboxUrl()}/sandbox/mail?to=${encodeURIComponent(to)}`)).json()) as { data: Mail[] }).data;

  /** A customer who paid the monthly plan on the sandbox's hosted page; the payment recorded by recur. */
  async function subscribe(externalId: string, email: string, locale: 'nl' | 'en'): Promise<{ subscriptionId: string; payment: { id: string; provider_payment_id: string } }> {
    expect((await api('/v1/customers', { external_id: externalId, email, locale, time_zone: 'Europe/Amsterdam' })).status).toBe(201);
    const checkout = await api('/v1/checkout', { customer: externalId, plan: 'monthly', provider: 'stripe', return_url: 'https://sportwinkel.test/account' });
    expect(checkout.status, JSON.stringify(checkout.body)).toBe(201);
    const paid = await fetch(String(checkout.body.url), { method: 'POST', redirect: 'manual', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ card: 'pm_card_visa', action: 'pay' }) });
    expect(paid.status).toBe(303);
    const back = await fetch(String(paid.headers.get('location')), { redirect: 'manual' });
    expect(back.status).toBe(303);
    const subscriptionId = new URL(String(back.headers.get('location'))).searchParams.get('subscription')!;
    const payment = await poll('the first payment recorded', async () => ((await api(`/v1/payments?customer=${externalId}&status=succeeded`)).body.data as { id: string; provider_payment_id: string }[])[0] ?? null);
    return { subscriptionId, payment };
  }

  async function openBrowser(): Promise<{ page: Page; problems: string[] }> {
    const context = await browser.newContext();
    contexts.push(context);
    const page = await context.newPage();
    const problems: string[] = [];
    page.on('pageerror', (error) => problems.push(error.message));
    page.on('console', (message) => {
      if (message.type() === 'error' && !message.text().startsWith('Failed to load resource')) problems.push(message.text());
    });
    page.on('response', (response) => {
      if (response.status() >= 400 && response.request().resourceType() !== 'document') problems.push(`${response.status()} ${response.url()}`);
    });
    return { page, problems };
  }

  /** axe-core on the page as it stands, in a context that bypasses the policy for axe's script only (GET pages change nothing). */
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
    dir = mkdtempSync(join(tmpdir(), 'recur-refunds-browser-'));
    writeFileSync(join(dir, 'recur.config.json'), JSON.stringify(CONFIG));
    if (kind === 'postgres') database = await openTestDatabase('postgres');
    const port = await freePort();
    recur = await startRecur({ cwd: dir, env: env(port), timeoutMs: 90_000 });
    const created = await runRecur(['keys', 'create', '--name', 'webshop backend'], { cwd: dir, env: env(port) });
    expect(created.code, created.stderr).toBe(0);
    apiKey = created.stdout.trim().split('\n')[0]!;
    const staff = await runRecur(['admin', 'create-user', '--username', 'anna.staff', '--password-stdin'], { cwd: dir, env: env(port), input: `${PASSWORD}\n` });
    expect(staff.code, staff.stderr).toBe(0);
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'] });
  }, 120_000);

  afterAll(async () => {
    for (const context of contexts) await context.close().catch(() => undefined);
    await browser?.close();
    await killSpawnedProcesses();
    await database?.dispose();
    rmSync(dir, { recursive: true, force: true });
  });

  it('withdraws in two clicks in Dutch and English with a full refund and the e-mail; accessible', async () => {
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
      const acknowledgement = await poll('the acknowledgement in the sandbox inbox', async () => (await mails(flow.email)).find((mail) => mail.categories[0] === 'withdrawal-confirmation') ?? null, 60_000, () => mails(flow.email));
      expect(acknowledgement.subject).toContain(flow.subject);
      expect((await stripe().refunds.list({ payment_intent: payment.provider_payment_id })).data.map((refund) => refund.amount)).toEqual([2999]);
      expect((await api(`/v1/subscriptions/${subscriptionId}`)).body.status).toBe('canceled');
      await page.getByRole('link', { name: flow.locale === 'nl' ? 'Terug naar het overzicht' : 'Back to the overview' }).click();
      expect(await page.getByRole('link', { name: flow.control }).count()).toBe(0);
      expect(problems).toEqual([]);
    }
  }, 300_000);

  it('refunds part of a payment from the customer page with a confirmation; a double click refunds once; accessible', async () => {
    const { payment } = await subscribe('cust-ruud', 'ruud@sportwinkel.test', 'nl');
    const { page, problems } = await openBrowser();
    await page.goto(`${recur.url}/admin/sign-in`);
    await page.getByLabel('Username').fill('anna.staff');
    await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
    await page.getByLabel('Password', { exact: true }).press('Enter');
    await page.waitForURL(`${recur.url}/admin`);
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
