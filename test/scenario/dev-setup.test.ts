import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { createServer as createNetServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { killSpawnedProcesses, runRecur, startRecur, type RunningRecur } from '../fixtures/recur-process.ts';
import { poll } from '../support/poll.ts';

/**
 * The development setup as the README tells it, as a new user meets it: a key-less `npm start`
 * (recur start with the sandbox beside it), a key created while it runs, a customer, a checkout on
 * the sandbox's hosted page in a real browser, the sandbox clock moved to the trial reminder, the
 * trial-ending notice and past the trial; every notice in the sandbox's inboxes and `delivered`
 * in recur; then a restart, after which the same customer's cancel link and billing portal work.
 */
const CHROMIUM = '/usr/bin/chromium';
const browserRequired = process.env.RECUR_BROWSER_TESTS === 'required';
const browserMissing = !existsSync(CHROMIUM);
if (browserMissing && !browserRequired) console.warn(`dev-setup scenario skipped: no ${CHROMIUM} (apt-get install chromium); CI requires it`);

const DAY_MS = 86_400_000;
const CUSTOMER = { external_id: 'cust-anna', email: 'anna@sportwinkel.test', name: 'Anna de Vries', phone: '+31612345678', locale: 'nl', sms_consent: true };

type Notification = { id: string; template: string; channel: string; status: string };

/** 10:00 UTC on the day `days` after `from`: outside SMS quiet hours in Amsterdam. */
function morningAfter(from: Date, days: number): string {
  const day = new Date(from.getTime() + days * DAY_MS);
  return `${day.toISOString().slice(0, 10)}T10:00:00Z`;
}

/** A port free now, so the restart can listen where the links in sent notices point. */
async function freePort(): Promise<number> {
  const server = createNetServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe.skipIf(browserMissing && !browserRequired)('the development setup, as the README tells it', () => {
  let dir: string;
  let recur: RunningRecur;
  let browser: Browser;
  let shop: Server;
  let shopUrl: string;
  let apiKey: string;
  let port: number;

  const env = () => ({ RECUR_DATA_DIR: join(dir, '.recur'), LOG_LEVEL: 'warn', PORT: String(port), SHOP_NAME: 'Sportwinkel de Vries' });
  const sandboxUrl = () => /sandbox providers on (http:\/\/\S+) /.exec(recur.stderr())![1]!;
  const api = async (path: string, init: { method?: string; body?: unknown } = {}) => {
    const response = await fetch(`${recur.url}${path}`, {
      method: init.method ?? 'GET',
      headers: { authorization: `Bearer ${apiKey}`, ...(init.body ? { 'content-type': 'application/json' } : {}) },
      ...(init.body ? { body: JSON.stringify(init.body) } : {}),
    });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  };
  const sandbox = async (path: string, body?: unknown) => {
    const response = await fetch(`${sandboxUrl()}${path}`, body ? { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) } : {});
    expect(response.status, `${path}: ${response.status}`).toBe(200);
    return (await response.json()) as Record<string, unknown>;
  };
  const mails = async () => ((await sandbox(`/sandbox/mail?to=${encodeURIComponent(CUSTOMER.email)}`)).data as { subject: string; text: string | null; html: string | null; status: string }[]);
  const sms = async () => ((await sandbox(`/sandbox/sms?to=${encodeURIComponent(CUSTOMER.phone)}`)).data as { body: string; status: string }[]);
  const notifications = async () => (await api(`/v1/notifications?customer=${CUSTOMER.external_id}&limit=100`)).body.data as Notification[];
  const delivered = (template: string, channel = 'email') =>
    poll(`${template} (${channel}) delivered`, async () => (await notifications()).find((n) => n.template === template && n.channel === channel && n.status === 'delivered') ?? null, 60_000, async () => ({
      now: await sandbox('/sandbox/clock'),
      notifications: (await notifications()).map((n) => [n.template, n.channel, n.status]),
      subscriptions: (await api(`/v1/subscriptions?customer=${CUSTOMER.external_id}`)).body,
    }));

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'recur-dev-setup-'));
    port = await freePort();
    shop = createServer((_request, response) => response.end('shop'));
    await new Promise<void>((resolve) => shop.listen(0, '127.0.0.1', resolve));
    shopUrl = `http://127.0.0.1:${(shop.address() as AddressInfo).port}/account`;
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'] });
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await killSpawnedProcesses();
    await new Promise((resolve) => shop?.close(resolve));
    rmSync(dir, { recursive: true, force: true });
  });

  it('runs from sign-up through the trial to the first charge, and keeps everything across a restart', async () => {
    recur = await startRecur({ cwd: dir, env: env(), timeoutMs: 90_000 });

    // A key while the service runs (the embedded database is held by it).
    const created = await runRecur(['keys', 'create', '--name', 'webshop backend'], { cwd: dir, env: env() });
    expect(created.code, created.stderr).toBe(0);
    apiKey = created.stdout.trim();
    expect(apiKey).toMatch(/^rk_/);

    expect((await api('/v1/customers', { method: 'POST', body: CUSTOMER })).status).toBe(201);
    const checkout = await api('/v1/checkout', { method: 'POST', body: { customer: CUSTOMER.external_id, plan: 'monthly', provider: 'stripe', return_url: shopUrl } });
    expect(checkout.status).toBe(201);

    const page = await browser.newPage();
    await page.goto(String(checkout.body.url));
    await page.getByRole('button', { name: 'Subscribe' }).click();
    await page.waitForURL((url) => url.href.startsWith(shopUrl));
    const returned = new URL(page.url());
    expect(returned.searchParams.get('checkout')).toBe('success');
    const subscriptionId = returned.searchParams.get('subscription')!;
    const subscription = (await api(`/v1/subscriptions/${subscriptionId}`)).body;
    expect(subscription.status).toBe('trialing');
    const trialEnd = new Date(String(subscription.trial_end));

    await delivered('enrolment-confirmation');

    // The trial reminder: 7 days before the first charge, within a minute of the move. Its SMS may
    // fall in the quiet hours of Amsterdam's evening; it then goes out the next morning.
    const at = (ms: number) => new Date(ms).toISOString();
    await sandbox('/sandbox/clock/advance', { to: at(trialEnd.getTime() - 7 * DAY_MS + 60_000) });
    await delivered('trial-reminder');
    const nextMorning = Math.max(new Date(morningAfter(trialEnd, -6)).getTime(), trialEnd.getTime() - 7 * DAY_MS + 120_000);
    await sandbox('/sandbox/clock/advance', { to: at(nextMorning) });
    await delivered('trial-reminder', 'sms');
    expect((await sms()).length).toBe(1);

    await sandbox('/sandbox/clock/advance', { to: at(trialEnd.getTime() - 3 * DAY_MS + 60_000) });
    await delivered('trial-ending');

    await sandbox('/sandbox/clock/advance', { to: at(trialEnd.getTime() + 3_600_000) });
    await delivered('receipt');
    expect((await api(`/v1/subscriptions/${subscriptionId}`)).body.status).toBe('active');
    const inbox = await mails();
    expect(inbox.length).toBe(4);
    expect(inbox.every((mail) => mail.status === 'delivered')).toBe(true);

    // A restart keeps recur's data and the sandbox's.
    expect((await recur.stop('SIGTERM')).code).toBe(0);
    recur = await startRecur({ cwd: dir, env: env(), timeoutMs: 90_000 });

    const reminder = inbox.find((mail) => (mail.html ?? '').includes('/links/cancel'))!;
    const cancelLink = /href="([^"]*\/links\/cancel[^"]*)"/.exec(reminder.html!)![1]!.replaceAll('&amp;', '&');
    await page.goto(cancelLink);
    await page.getByRole('button').first().click();
    await poll('cancel at period end recorded', async () => ((await api(`/v1/subscriptions/${subscriptionId}`)).body.cancel_at_period_end === true ? true : null));

    const portal = await api(`/v1/customers/${CUSTOMER.external_id}/billing-portal`, { method: 'POST', body: { return_url: shopUrl } });
    expect(portal.status).toBe(201);
    const portalPage = await page.goto(String(portal.body.url));
    expect(portalPage?.status()).toBe(200);
  }, 600_000);
});
