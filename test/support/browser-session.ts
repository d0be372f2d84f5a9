import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { expect } from 'vitest';
import type { DatabaseKind } from '../../src/db/database.ts';
import { killSpawnedProcesses, runRecur, startRecur, type RunningRecur } from '../fixtures/recur-process.ts';
import { freePort } from './free-port.ts';
import { openTestDatabase, type TestDatabase } from './test-database.ts';

/** Debian's chromium; CI sets RECUR_BROWSER_TESTS=required. */
export const CHROMIUM = '/usr/bin/chromium';

/**
 * Whether a browser test is skipped: only where Chromium is missing and RECUR_BROWSER_TESTS is not
 * 'required', so on CI a missing browser fails the test instead of hiding it.
 */
export function skipWithoutChromium(what: string): boolean {
  if (existsSync(CHROMIUM) || process.env.RECUR_BROWSER_TESTS === 'required') return false;
  console.warn(`${what} skipped: no ${CHROMIUM} (apt-get install chromium); CI requires it`);
  return true;
}

/** Headless Chromium that talks to nothing but the pages a test opens (no updates, sync or first-run calls). */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'] });
}

/** The shop's own site, answering "shop" on every path: where a checkout or an approval sends the customer back. */
export type ShopSite = { url: string; close(): Promise<void> };

export async function startShopSite(): Promise<ShopSite> {
  const server = createServer((_request, response) => response.end('shop'));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () =>
      new Promise<void>((resolve) => {
        // A browser's keep-alive connection would hold the close open.
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/**
 * Pays a sandbox Stripe Checkout with the test card by posting its hosted page's form, as a browser
 * would, and follows the way back through recur: the subscription id recur hands the shop.
 */
export async function payStripeCheckout(checkoutUrl: string): Promise<string> {
  const paid = await fetch(checkoutUrl, { method: 'POST', redirect: 'manual', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ card: 'pm_card_visa', action: 'pay' }) });
  expect(paid.status).toBe(303);
  const back = await fetch(String(paid.headers.get('location')), { redirect: 'manual' });
  expect(back.status).toBe(303);
  return new URL(String(back.headers.get('location'))).searchParams.get('subscription')!;
}

export type ApiAnswer = { status: number; body: Record<string, unknown> };
/** What the tests read of a mail in the sandbox's inbox. */
export type SandboxMail = { subject: string; text: string | null; categories: string[]; status: string };
/** A page in a browser context of its own (its own cookie jar), and every problem the page had. */
export type OpenedBrowser = { page: Page; problems: string[] };
export type Staff = { username: string; password: string };

export type BrowserSession = {
  recur: RunningRecur;
  /** recur's API as the shop's backend calls it: a body makes it a POST. */
  api(path: string, body?: unknown): Promise<ApiAnswer>;
  /** The sandbox's base URL, as `recur start` announced it. */
  sandboxUrl(): string;
  mailsTo(address: string): Promise<SandboxMail[]>;
  /** A browser of its own (a new context: its own cookie jar) and its page. */
  openBrowser(): Promise<OpenedBrowser>;
  /** Signs `page` in to the dashboard as the session's staff account, by keyboard (Enter submits). */
  signInAsStaff(page: Page): Promise<void>;
  close(): Promise<void>;
};

export type BrowserSessionOptions = {
  /** How the temporary folder's name begins. */
  name: string;
  /** Written as the folder's recur.config.json before recur starts. */
  config?: unknown;
  /** A staff account made with the CLI once recur runs. */
  staff?: Staff;
  /** Settings beyond the session's own (SEPA_CREDITOR_ID, ...). */
  env?: Record<string, string>;
};

// Up to the space after it: a chunk of stderr may end in the middle of the URL.
const SANDBOX_BANNER = /sandbox providers on (http:\/\/\S+) /;

/**
 * A key-less `recur start` (the sandbox beside it) in a folder of its own, on `kind`, with an API key
 * made by `recur keys create`, and Chromium. Whatever started is stopped again when a step fails.
 */
export async function startBrowserSession(kind: DatabaseKind, options: BrowserSessionOptions): Promise<BrowserSession> {
  const dir = mkdtempSync(join(tmpdir(), `${options.name}-`));
  let database: TestDatabase | undefined;
  let browser: Browser | undefined;
  const close = async () => {
    await browser?.close();
    await killSpawnedProcesses();
    await database?.dispose();
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    if (options.config !== undefined) writeFileSync(join(dir, 'recur.config.json'), JSON.stringify(options.config));
    if (kind === 'postgres') database = await openTestDatabase('postgres');
    // A port of its own, not 0: recur builds its public URLs (checkout returns, portal links) from it.
    const env = { RECUR_DATA_DIR: join(dir, '.recur'), LOG_LEVEL: 'warn', PORT: String(await freePort()), SANDBOX_PORT: '0', SHOP_NAME: 'Sportwinkel de Vries', ...options.env, ...(database ? { DATABASE_URL: database.url! } : {}) };
    const recur = await startOnAFreePort(dir, env);
    const created = await runRecur(['keys', 'create', '--name', 'webshop backend'], { cwd: dir, env });
    expect(created.code, created.stderr).toBe(0);
    const apiKey = created.stdout.trim().split('\n')[0]!;
    const { staff } = options;
    if (staff) {
      const made = await runRecur(['admin', 'create-user', '--username', staff.username, '--password-stdin'], { cwd: dir, env, input: `${staff.password}\n` });
      expect(made.code, made.stderr).toBe(0);
    }
    const launched = await launchChromium();
    browser = launched;

    const sandboxUrl = () => SANDBOX_BANNER.exec(recur.stderr())![1]!;
    return {
      recur,
      sandboxUrl,
      async api(path, body) {
        const response = await fetch(`${recur.url}${path}`, {
          method: body === undefined ? 'GET' : 'POST',
          headers: { authorization: `Bearer ${apiKey}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
          ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        });
        return { status: response.status, body: (await response.json()) as Record<string, unknown> };
      },
      mailsTo: async (address) => ((await (await fetch(`${sandboxUrl()}/sandbox/mail?to=${encodeURIComponent(address)}`)).json()) as { data: SandboxMail[] }).data,
      openBrowser: () => openBrowser(launched),
      async signInAsStaff(page) {
        if (!staff) throw new Error('signInAsStaff needs the session started with a staff account');
        await page.goto(`${recur.url}/admin/sign-in`);
        await page.getByLabel('Username').fill(staff.username);
        await page.getByLabel('Password', { exact: true }).fill(staff.password);
        await page.getByLabel('Password', { exact: true }).press('Enter');
        await page.waitForURL(`${recur.url}/admin`);
      },
      close,
    };
  } catch (error) {
    await close();
    throw error;
  }
}

/**
 * recur on the free port found for it: a port free when asked may be taken by another test's
 * process before recur binds it (recur then exits 71, "in use"), and another is tried.
 */
async function startOnAFreePort(dir: string, env: Record<string, string>): ReturnType<typeof startRecur> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await startRecur({ cwd: dir, env, timeoutMs: 90_000 });
    } catch (error) {
      if (attempt >= 3 || !String((error as Error).message).includes('is in use by another program')) throw error;
      env.PORT = String(await freePort());
    }
  }
}

/** A new context's page whose errors are collected: a script error, a console error, a failed sub-resource. */
async function openBrowser(browser: Browser): Promise<OpenedBrowser> {
  const context = await browser.newContext();
  const page = await context.newPage();
  const problems: string[] = [];
  page.on('pageerror', (error) => problems.push(error.message));
  // A policy violation (an inline script, a form-action the policy does not allow) is reported on the
  // console; a missing asset as a failed response, which the console repeats as "Failed to load resource".
  page.on('console', (message) => {
    if (message.type() === 'error' && !message.text().startsWith('Failed to load resource')) problems.push(`${page.url()}: ${message.text()}`);
  });
  page.on('response', (response) => {
    if (response.status() >= 400 && response.request().resourceType() !== 'document') problems.push(`${response.status()} ${response.url()}`);
  });
  return { page, problems };
}
