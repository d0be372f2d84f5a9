import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../support/free-port.ts';
import { killSpawnedProcesses, runRecur, startRecur, type RunningRecur } from '../fixtures/recur-process.ts';
import { openTestDatabase, testDatabaseKinds, type TestDatabase } from '../support/test-database.ts';

/**
 * The dashboard in a real browser against a real `recur start` (the sandbox beside it): a staff
 * account made with the CLI while the service runs, a customer who checked out in the sandbox,
 * then sign-in, the overview, a search by e-mail and the customer's page, by keyboard and mouse.
 * No page breaks its own policy (no inline script or style), and axe-core finds no serious or
 * critical violation on any of them.
 */
const CHROMIUM = '/usr/bin/chromium';
const browserRequired = process.env.RECUR_BROWSER_TESTS === 'required';
const browserMissing = !existsSync(CHROMIUM);
if (browserMissing && !browserRequired) console.warn(`admin dashboard browser test skipped: no ${CHROMIUM} (apt-get install chromium); CI requires it`);

const PASSWORD = 'a long staff password 2026';
const CUSTOMER = { external_id: 'cust-anna', email: 'anna@sportwinkel.test', name: 'Anna de Vries', locale: 'nl' };

type AxeViolation = { id: string; impact: string | null; help: string; nodes: { target: string[] }[] };

describe.skipIf(browserMissing && !browserRequired).each(testDatabaseKinds)('the admin dashboard in a browser on %s', { timeout: 180_000 }, (kind) => {
  let dir: string;
  let postgres: TestDatabase | undefined;
  let recur: RunningRecur;
  let browser: Browser;
  let shop: Server;
  let env: Record<string, string>;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'recur-admin-browser-'));
    if (kind === 'postgres') postgres = await openTestDatabase('postgres');
    // A port of its own, not 0: the checkout's return URL is built from it (http://HOST:PORT).
    env = { RECUR_DATA_DIR: join(dir, '.recur'), LOG_LEVEL: 'warn', PORT: String(await freePort()), SHOP_NAME: 'Sportwinkel de Vries', ...(postgres ? { DATABASE_URL: postgres.url! } : {}) };
    shop = createServer((_request, response) => response.end('shop'));
    await new Promise<void>((resolve) => shop.listen(0, '127.0.0.1', resolve));
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'] });
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await killSpawnedProcesses();
    await new Promise((resolve) => shop?.close(resolve));
    await postgres?.dispose();
    rmSync(dir, { recursive: true, force: true });
  });

  /** axe-core's serious and critical findings on `url`, in a context allowed to inject it past the page policy. */
  async function seriousViolations(axeContext: BrowserContext, url: string): Promise<AxeViolation[]> {
    const page = await axeContext.newPage();
    try {
      await page.goto(url);
      await page.addScriptTag({ path: 'node_modules/axe-core/axe.min.js' });
      // The whole document (axe's default context), as the browser sees it.
      const violations = await page.evaluate(async () => {
        const axe = (globalThis as unknown as { axe: { run(options: unknown): Promise<{ violations: AxeViolation[] }> } }).axe;
        return (await axe.run({ resultTypes: ['violations'] })).violations;
      });
      return violations.filter((violation) => violation.impact === 'serious' || violation.impact === 'critical');
    } finally {
      await page.close();
    }
  }

  it('signs in, shows the overview, finds the customer by e-mail and opens their page; accessible throughout', async () => {
    recur = await startRecur({ cwd: dir, env, timeoutMs: 90_000 });
    const created = await runRecur(['admin', 'create-user', '--username', 'anna.staff', '--password-stdin'], { cwd: dir, env, input: `${PASSWORD}\n` });
    expect(created.code, created.stderr).toBe(0);
    const key = await runRecur(['keys', 'create', '--name', 'webshop backend'], { cwd: dir, env });
    expect(key.code, key.stderr).toBe(0);
    const api = async (path: string, body: unknown) => {
      const response = await fetch(`${recur.url}${path}`, { method: 'POST', headers: { authorization: `Bearer ${key.stdout.trim()}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
      return { status: response.status, body: (await response.json()) as Record<string, unknown> };
    };
    expect((await api('/v1/customers', CUSTOMER)).status).toBe(201);
    const shopUrl = `http://127.0.0.1:${(shop.address() as AddressInfo).port}/account`;
    const checkout = await api('/v1/checkout', { customer: CUSTOMER.external_id, plan: 'yearly', provider: 'stripe', return_url: shopUrl });
    expect(checkout.status).toBe(201);

    const context = await browser.newContext();
    const page: Page = await context.newPage();
    const policyBreaches: string[] = [];
    page.on('console', (message) => {
      if (/Content Security Policy/i.test(message.text())) policyBreaches.push(message.text());
    });
    await page.goto(String(checkout.body.url));
    await page.getByRole('button', { name: 'Subscribe' }).click();
    await page.waitForURL((url) => url.href.startsWith(shopUrl));

    // Without a session the dashboard sends the browser to the sign-in page.
    await page.goto(`${recur.url}/admin/customers`);
    expect(new URL(page.url()).pathname).toBe('/admin/sign-in');
    await page.getByLabel('Username').fill('anna.staff');
    await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
    // By keyboard: Enter in the password field submits its form.
    await page.getByLabel('Password', { exact: true }).press('Enter');
    await page.waitForURL(`${recur.url}/admin`);
    await expect.poll(() => page.getByRole('heading', { level: 1 }).textContent()).toBe('Overview');
    expect(await page.locator('[data-figure="trialing"]').textContent()).toBe('1');
    const cookies = await context.cookies();
    expect(cookies.find((cookie) => cookie.name === 'recur_admin_session')).toMatchObject({ httpOnly: true, sameSite: 'Strict', path: '/admin' });

    await page.getByRole('link', { name: 'Customers' }).click();
    await page.getByLabel('E-mail address, customer id or name').fill(CUSTOMER.email);
    await page.getByRole('button', { name: 'Search' }).click();
    await page.waitForURL((url) => url.searchParams.get('q') === CUSTOMER.email);
    await page.getByRole('link', { name: CUSTOMER.external_id }).click();
    await page.waitForURL(`${recur.url}/admin/customers/${CUSTOMER.external_id}`);
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe(CUSTOMER.name);
    const subscriptions = page.getByRole('table', { name: 'Subscriptions' });
    expect(await subscriptions.getByRole('cell', { name: 'Yearly' }).count()).toBe(1);
    expect(await subscriptions.textContent()).toContain('trialing');
    expect(await page.getByRole('table', { name: 'Audit trail' }).textContent()).toContain('customer create');
    expect(policyBreaches).toEqual([]);

    // axe-core is injected as an inline script, which the pages' policy refuses: its own context
    // bypasses the policy, with the session's cookie.
    const axeContext = await browser.newContext({ bypassCSP: true, storageState: await context.storageState() });
    try {
      for (const path of ['/admin/sign-in', '/admin', `/admin/customers?q=${encodeURIComponent(CUSTOMER.email)}`, `/admin/customers/${CUSTOMER.external_id}`]) {
        expect(await seriousViolations(axeContext, `${recur.url}${path}`), path).toEqual([]);
      }
    } finally {
      await axeContext.close();
    }

    // Sign out: the session is gone, and the pages ask to sign in again.
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.waitForURL(`${recur.url}/admin/sign-in`);
    await page.goto(`${recur.url}/admin`);
    expect(new URL(page.url()).pathname).toBe('/admin/sign-in');
    await context.close();
  });

  it('cancels the subscription at period end from its page, bans the customer, and shows notices and the audit log; accessible throughout', async () => {
    const context = await browser.newContext();
    const page: Page = await context.newPage();
    const policyBreaches: string[] = [];
    page.on('console', (message) => {
      if (/Content Security Policy/i.test(message.text())) policyBreaches.push(message.text());
    });
    await page.goto(`${recur.url}/admin/sign-in`);
    await page.getByLabel('Username').fill('anna.staff');
    await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
    await page.getByLabel('Password', { exact: true }).press('Enter');
    await page.waitForURL(`${recur.url}/admin`);

    // The subscriptions list, filtered by status and customer, to the subscription's page.
    await page.getByRole('link', { name: 'Subscriptions' }).click();
    await page.getByLabel('Status').selectOption('trialing');
    await page.getByLabel('Customer (e-mail, id or name)').fill('anna@sportwinkel');
    await page.getByRole('button', { name: 'Filter' }).click();
    await page.waitForURL((url) => url.searchParams.get('status') === 'trialing');
    await page.getByRole('table', { name: 'Subscriptions' }).getByRole('link', { name: 'Yearly' }).click();
    await page.waitForURL((url) => /^\/admin\/subscriptions\/[0-9a-f-]{36}$/.test(url.pathname));
    const subscriptionPath = new URL(page.url()).pathname;

    // Cancel at period end: the confirmation page, then its one button, by keyboard.
    await page.getByRole('link', { name: 'Cancel at period end…' }).click();
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('Cancel this subscription at the end of its period?');
    await page.getByRole('button', { name: 'Cancel at period end' }).focus();
    await page.keyboard.press('Enter');
    await page.waitForURL((url) => url.searchParams.get('done') === 'cancel_scheduled');
    expect(await page.getByRole('status').textContent()).toBe('Set to cancel at the end of its period.');
    expect(await page.getByRole('table', { name: 'Audit trail' }).textContent()).toContain('admin:anna.staff');

    // Ban, with its reason, from the customer's page.
    await page.getByRole('link', { name: CUSTOMER.external_id }).click();
    await page.getByLabel('Reason for the ban (required; kept in the audit log)').fill('test ban from the browser');
    await page.getByRole('button', { name: 'Ban customer' }).click();
    await page.waitForURL((url) => url.searchParams.get('done') === 'banned');
    expect(await page.getByRole('status').textContent()).toBe('The customer is banned.');

    await page.getByRole('link', { name: 'Audit log' }).click();
    await page.getByLabel('Actor (starts with, e.g. admin:)').fill('admin:anna.staff');
    await page.getByRole('button', { name: 'Filter' }).click();
    await page.waitForURL((url) => url.searchParams.get('actor') === 'admin:anna.staff');
    const audit = await page.getByRole('table', { name: 'Audit log' }).textContent();
    expect(audit).toContain('customer ban');
    expect(audit).toContain('subscription cancel_scheduled');
    await page.getByRole('link', { name: 'Notifications' }).click();
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('Notifications');
    expect(policyBreaches).toEqual([]);

    const axeContext = await browser.newContext({ bypassCSP: true, storageState: await context.storageState() });
    try {
      for (const path of [
        '/admin/subscriptions?status=trialing',
        subscriptionPath,
        `${subscriptionPath}/cancel?at=now`,
        `${subscriptionPath}/resume`,
        `${subscriptionPath}/switch?plan=monthly`,
        `/admin/customers/${CUSTOMER.external_id}`,
        '/admin/notifications',
        '/admin/payments',
        '/admin/audit?actor=admin%3A',
      ]) {
        expect(await seriousViolations(axeContext, `${recur.url}${path}`), path).toEqual([]);
      }
    } finally {
      await axeContext.close();
    }
    await context.close();
  });
});
