// `npm run screenshots`: the README's pictures of the customer portal and the admin dashboard,
// taken in Debian's Chromium from a key-less `recur start` (the sandbox beside it) with a few
// customers made through the API and the sandbox's checkout. Writes docs/screenshots/*.png, or
// the directory given as the first argument. test/scripts/take-screenshots.test.ts runs it.
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { killSpawnedProcesses, runRecur, startRecur } from '../test/fixtures/recur-process.ts';
import { freePort } from '../test/support/free-port.ts';

const CHROMIUM = '/usr/bin/chromium';
const PASSWORD = 'the screenshots staff password';
const VIEWPORT = { width: 1100, height: 760 };

type Customer = { external_id: string; email: string; name: string; locale: 'nl' | 'en' };
const ANNA: Customer = { external_id: 'cust-anna', email: 'anna@sportwinkel.test', name: 'Anna de Vries', locale: 'nl' };
const TOM: Customer = { external_id: 'cust-tom', email: 'tom@sportwinkel.test', name: 'Tom Bakker', locale: 'en' };
/** Customers on the monthly plan, so the dashboard's lists show a shop rather than one row. */
const SHOPPERS: Customer[] = [
  { external_id: 'cust-sanne', email: 'sanne@sportwinkel.test', name: 'Sanne Jansen', locale: 'nl' },
  { external_id: 'cust-pieter', email: 'pieter@sportwinkel.test', name: 'Pieter Visser', locale: 'nl' },
  { external_id: 'cust-emma', email: 'emma@sportwinkel.test', name: 'Emma Smit', locale: 'en' },
  { external_id: 'cust-lucas', email: 'lucas@sportwinkel.test', name: 'Lucas Mulder', locale: 'nl' },
];

/** One picture: a page reached in `page`'s session, then named `name`.png. */
type Shot = { name: string; open: (page: Page) => Promise<void> };

export async function takeScreenshots(outDir: string): Promise<string[]> {
  mkdirSync(outDir, { recursive: true });
  const dir = mkdtempSync(join(tmpdir(), 'recur-screenshots-'));
  let browser: Browser | undefined;
  try {
    const env = { RECUR_DATA_DIR: join(dir, '.recur'), LOG_LEVEL: 'warn', PORT: String(await freePort()), SHOP_NAME: 'Sportwinkel de Vries' };
    const recur = await startRecur({ cwd: dir, env, timeoutMs: 90_000 });
    const admin = await runRecur(['admin', 'create-user', '--username', 'anna.staff', '--password-stdin'], { cwd: dir, env, input: `${PASSWORD}\n` });
    const key = await runRecur(['keys', 'create', '--name', 'screenshots'], { cwd: dir, env });
    if (admin.code !== 0 || key.code !== 0) throw new Error(`recur's CLI failed: ${admin.stderr}${key.stderr}`);
    const api = async (path: string, body: unknown): Promise<Record<string, unknown>> => {
      const response = await fetch(`${recur.url}${path}`, { method: 'POST', headers: { authorization: `Bearer ${key.stdout.trim()}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
      const answer = (await response.json()) as Record<string, unknown>;
      if (!response.ok) throw new Error(`POST ${path}: ${response.status} ${JSON.stringify(answer)}`);
      return answer;
    };

    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--no-first-run'] });
    const page = await (await browser.newContext({ viewport: VIEWPORT })).newPage();
    const returnUrl = `${recur.url}/health`;
    // Each shopper pays in the sandbox's checkout page (its form posted, as the page does) and comes back through recur.
    for (const shopper of SHOPPERS) {
      await api('/v1/customers', shopper);
      const started = await api('/v1/checkout', { customer: shopper.external_id, plan: 'monthly', provider: 'stripe', return_url: returnUrl });
      const paid = await fetch(String(started.url), { method: 'POST', redirect: 'manual', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ card: 'pm_card_visa', action: 'pay' }) });
      const back = paid.headers.get('location');
      if (paid.status !== 303 || !back) throw new Error(`the sandbox's checkout answered ${paid.status} for ${shopper.external_id}`);
      await fetch(back, { redirect: 'manual' });
    }
    // Anna pays for the yearly plan in the sandbox's checkout page; Tom has no subscription yet.
    for (const customer of [ANNA, TOM]) await api('/v1/customers', customer);
    const checkout = await api('/v1/checkout', { customer: ANNA.external_id, plan: 'yearly', provider: 'stripe', return_url: returnUrl });
    await page.goto(String(checkout.url));
    await page.getByRole('button', { name: 'Subscribe' }).click();
    await page.waitForURL((url) => url.href.startsWith(returnUrl));

    const enterPortal = async (customer: Customer) => {
      const link = await api(`/v1/customers/${customer.external_id}/portal-sessions`, { return_url: returnUrl, locale: customer.locale });
      await page.goto(String(link.url));
    };
    const shots: Shot[] = [
      { name: 'portal-overview', open: () => enterPortal(ANNA) },
      { name: 'portal-cancel', open: async () => void (await page.getByRole('link', { name: /opzeggen/i }).first().click()) },
      {
        name: 'portal-change-plan',
        open: async () => {
          await page.goto(`${recur.url}/portal`);
          await page.getByRole('link', { name: 'Abonnement wijzigen' }).first().click();
        },
      },
      { name: 'portal-payments', open: async () => void (await page.goto(`${recur.url}/portal/payments`)) },
      {
        name: 'portal-withdraw',
        open: async () => {
          await page.goto(`${recur.url}/portal`);
          await page.getByRole('link', { name: 'Herroepen: overeenkomst hier ontbinden' }).first().click();
        },
      },
      { name: 'portal-plan-picker', open: () => enterPortal(TOM) },
      {
        name: 'admin-sign-in',
        open: async () => void (await page.goto(`${recur.url}/admin/sign-in`)),
      },
      {
        name: 'admin-overview',
        open: async () => {
          await page.getByLabel('Username').fill('anna.staff');
          await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
          await page.getByLabel('Password', { exact: true }).press('Enter');
          await page.waitForURL(`${recur.url}/admin`);
        },
      },
      { name: 'admin-customer', open: async () => void (await page.goto(`${recur.url}/admin/customers/${ANNA.external_id}`)) },
      { name: 'admin-subscriptions', open: async () => void (await page.goto(`${recur.url}/admin/subscriptions`)) },
      { name: 'admin-audit-log', open: async () => void (await page.goto(`${recur.url}/admin/audit`)) },
      { name: 'admin-webhook-inbox', open: async () => void (await page.goto(`${recur.url}/admin/webhooks`)) },
      {
        name: 'admin-reconciliation-run',
        open: async () => {
          await page.goto(`${recur.url}/admin/reconciliation`);
          await page.getByRole('button', { name: 'Start a run' }).click();
          await page.waitForURL((url) => url.searchParams.get('started') === '1');
          for (let tries = 0; tries < 30 && (await page.locator('dd[data-status]').textContent()) === 'running'; tries++) {
            await new Promise((resolve) => setTimeout(resolve, 500));
            await page.reload();
          }
        },
      },
    ];
    const written: string[] = [];
    for (const shot of shots) {
      await shot.open(page);
      await page.waitForLoadState('load');
      const file = join(outDir, `${shot.name}.png`);
      await page.screenshot({ path: file, fullPage: true });
      written.push(file);
    }
    return written;
  } finally {
    await browser?.close();
    await killSpawnedProcesses();
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] && resolve(process.argv[1]) === resolve(new URL(import.meta.url).pathname)) {
  const outDir = resolve(process.argv[2] ?? 'docs/screenshots');
  takeScreenshots(outDir).then(
    (files) => console.log(`${files.length} screenshots in ${outDir}`),
    (error: unknown) => {
      console.error(`screenshots: ${error instanceof Error ? error.message : String(error)}`);
      process.exit(1);
    },
  );
}
