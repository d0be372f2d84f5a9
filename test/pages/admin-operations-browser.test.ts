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
 * The dashboard's operations pages in a real browser against a real `recur start` with the
 * sandbox: the overview's charts, the webhook inbox (filter, one event, replay) and the
 * reconciliation runs (start one, watch it finish). No page breaks its own policy, and axe-core
 * finds no serious or critical violation on any of them.
 */
const CHROMIUM = '/usr/bin/chromium';
const browserRequired = process.env.RECUR_BROWSER_TESTS === 'required';
const browserMissing = !existsSync(CHROMIUM);
if (browserMissing && !browserRequired) console.warn(`admin operations browser test skipped: no ${CHROMIUM} (apt-get install chromium); CI requires it`);

const PASSWORD = 'a long staff password 2026';
const CUSTOMER = { external_id: 'cust-bram', email: 'bram@sportwinkel.test', name: 'Bram Jansen', locale: 'nl' };

type AxeViolation = { id: string; impact: string | null; help: string; nodes: { target: string[] }[] };

describe.skipIf(browserMissing && !browserRequired).each(testDatabaseKinds)('the dashboard operations pages in a browser on %s', { timeout: 180_000 }, (kind) => {
  let dir: string;
  let postgres: TestDatabase | undefined;
  let recur: RunningRecur;
  let browser: Browser;
  let shop: Server;
  let env: Record<string, string>;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'recur-admin-operations-browser-'));
    if (kind === 'postgres') postgres = await openTestDatabase('postgres');
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

  async function seriousViolations(axeContext: BrowserContext, url: string): Promise<AxeViolation[]> {
    const page = await axeContext.newPage();
    try {
      await page.goto(url);
      await page.addScriptTag({ path: 'node_modules/axe-core/axe.min.js' });
      const violations = await page.evaluate(async () => {
        const axe = (globalThis as unknown as { axe: { run(options: unknown): Promise<{ violations: AxeViolation[] }> } }).axe;
        return (await axe.run({ resultTypes: ['violations'] })).violations;
      });
      return violations.filter((violation) => violation.impact === 'serious' || violation.impact === 'critical');
    } finally {
      await page.close();
    }
  }

  it('shows the charts, replays an event from the inbox and starts a reconciliation run; accessible throughout', async () => {
    recur = await startRecur({ cwd: dir, env, timeoutMs: 90_000 });
    const created = await runRecur(['admin', 'create-user', '--username', 'bram.staff', '--password-stdin'], { cwd: dir, env, input: `${PASSWORD}\n` });
    expect(created.code, created.stderr).toBe(0);
    const key = await runRecur(['keys', 'create', '--name', 'webshop backend'], { cwd: dir, env });
    expect(key.code, key.stderr).toBe(0);
    const api = async (path: string, body?: unknown) => {
      const response = await fetch(`${recur.url}${path}`, {
        method: body === undefined ? 'GET' : 'POST',
        headers: { authorization: `Bearer ${key.stdout.trim()}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
      return { status: response.status, body: (await response.json()) as Record<string, unknown> };
    };
    expect((await api('/v1/customers', CUSTOMER)).status).toBe(201);
    const shopUrl = `http://127.0.0.1:${(shop.address() as AddressInfo).port}/account`;
    const checkout = await api('/v1/checkout', { customer: CUSTOMER.external_id, plan: 'monthly', provider: 'stripe', return_url: shopUrl });
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
    // The sandbox's events reach the inbox and the worker settles them.
    await expect.poll(async () => ((await api('/v1/webhook-events?status=received')).body.data as unknown[]).length, { timeout: 30_000 }).toBe(0);
    const settled = (await api('/v1/webhook-events?limit=100')).body.data as { id: number; status: string }[];
    expect(settled.length).toBeGreaterThan(0);

    await page.goto(`${recur.url}/admin/sign-in`);
    await page.getByLabel('Username').fill('bram.staff');
    await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
    await page.getByLabel('Password', { exact: true }).press('Enter');
    await page.waitForURL(`${recur.url}/admin`);
    // Twelve months on every chart, drawn by recur itself.
    for (const chart of ['active', 'churn', 'trial-conversion', 'failed-payments']) expect(await page.locator(`figure[data-chart="${chart}"] [data-value]`).count(), chart).toBe(12);
    expect(await page.getByRole('img', { name: "Active subscriptions at each month's end" }).count()).toBe(1);

    // The inbox, filtered by keyboard-usable selects, then one event and its replay.
    await page.getByRole('link', { name: 'Webhook inbox' }).click();
    await page.waitForURL(`${recur.url}/admin/webhooks`);
    // The catalogue's products and prices, the customer: events recur records and ignores, so replayable.
    const replayable = settled.find((event) => event.status === 'ignored')!;
    expect(replayable).toBeDefined();
    await page.getByLabel('Status').selectOption(replayable.status);
    await page.getByLabel('Provider').selectOption('stripe');
    await page.getByRole('button', { name: 'Show' }).click();
    await page.waitForURL((url) => url.searchParams.get('status') === replayable.status);
    await page.getByRole('link', { name: `Event ${replayable.id}`, exact: true }).click();
    await page.waitForURL(`${recur.url}/admin/webhooks/${replayable.id}`);
    expect(await page.getByRole('region', { name: 'Payload' }).textContent()).toContain('"object": "event"');
    await page.getByRole('button', { name: `Replay event ${replayable.id}` }).click();
    await page.waitForURL(`${recur.url}/admin/webhooks/${replayable.id}?replayed=1`);
    expect(await page.getByRole('status').textContent()).toContain('back in the queue');
    // The worker takes it again and, as before, ignores it.
    await expect.poll(async () => ((await api('/v1/webhook-events?limit=100')).body.data as { id: number; status: string }[]).find((event) => event.id === replayable.id)?.status, { timeout: 30_000 }).toBe('ignored');

    // A reconciliation run started from the page, followed until it is done.
    await page.getByRole('link', { name: 'Reconciliation' }).click();
    await page.waitForURL(`${recur.url}/admin/reconciliation`);
    await page.getByLabel('Provider to reconcile').selectOption('stripe');
    await page.getByRole('button', { name: 'Start a run' }).click();
    await page.waitForURL((url) => url.pathname.startsWith('/admin/reconciliation/') && url.searchParams.get('started') === '1');
    const runPath = new URL(page.url()).pathname;
    await expect
      .poll(
        async () => {
          await page.reload();
          return page.locator('dd[data-status]').textContent();
        },
        { timeout: 30_000 },
      )
      .toBe('succeeded');
    expect(await page.locator('dl.facts').textContent()).toContain('admin:bram.staff');
    expect(policyBreaches).toEqual([]);

    const axeContext = await browser.newContext({ bypassCSP: true, storageState: await context.storageState() });
    try {
      for (const path of ['/admin', '/admin/webhooks', `/admin/webhooks?status=${replayable.status}`, `/admin/webhooks/${replayable.id}`, '/admin/reconciliation', runPath]) {
        expect(await seriousViolations(axeContext, `${recur.url}${path}`), path).toEqual([]);
      }
    } finally {
      await axeContext.close();
    }
    await context.close();
  });
});
