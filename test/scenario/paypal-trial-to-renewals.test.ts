import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultPaypalCredentials } from '../../sandbox/paypal/paypal-sandbox.ts';
import { killSpawnedProcesses, runRecur, startRecur, type RunningRecur } from '../fixtures/recur-process.ts';
import { poll } from '../support/poll.ts';
import { freePort } from '../support/free-port.ts';

/**
 * PayPal as a Dutch customer meets it on the key-less `npm start`: a monthly subscription with the
 * 30-day trial, approved on the sandbox's hosted page in a real browser, recorded as trialing at
 * the return; then the sandbox clock moved a day at a time to day 70: the card-network reminder on
 * day 23 (7 days before the first charge), PayPal's charges on day 30 and a calendar month later, a receipt each,
 * everything in Dutch, and recur's subscription equal to PayPal's at the end.
 */
const CHROMIUM = '/usr/bin/chromium';
const browserRequired = process.env.RECUR_BROWSER_TESTS === 'required';
const browserMissing = !existsSync(CHROMIUM);
if (browserMissing && !browserRequired) console.warn(`PayPal scenario skipped: no ${CHROMIUM} (apt-get install chromium); CI requires it`);

const DAY_MS = 86_400_000;
const CUSTOMER = { external_id: 'cust-joost', email: 'joost@sportwinkel.test', name: 'Joost Bakker', locale: 'nl' };

type Notification = { id: string; template: string; channel: string; status: string; created_at?: string };

describe.skipIf(browserMissing && !browserRequired)('a Dutch customer subscribes through PayPal on the key-less start', () => {
  let dir: string;
  let recur: RunningRecur;
  let browser: Browser;
  let shop: Server;
  let shopUrl: string;
  let apiKey: string;
  let port: number;

  // A fixed port: the return URL PayPal sends the browser to names it.
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
  const paypal = async (path: string) => {
    const basic = Buffer.from(`${defaultPaypalCredentials.clientId}:${defaultPaypalCredentials.clientSecret}`).toString('base64');
    const token = (await (await fetch(`${sandboxUrl()}/paypal/v1/oauth2/token`, { method: 'POST', headers: { authorization: `Basic ${basic}`, 'content-type': 'application/x-www-form-urlencoded' }, body: 'grant_type=client_credentials' })).json()) as { access_token: string };
    return (await (await fetch(`${sandboxUrl()}/paypal${path}`, { headers: { authorization: `Bearer ${token.access_token}` } })).json()) as Record<string, unknown>;
  };
  const mails = async () => (await sandbox(`/sandbox/mail?to=${encodeURIComponent(CUSTOMER.email)}`)).data as { subject: string; text: string | null; status: string }[];
  const notifications = async () => (await api(`/v1/notifications?customer=${CUSTOMER.external_id}&limit=100`)).body.data as Notification[];
  const deliveredCount = async (template: string) => (await notifications()).filter((n) => n.template === template && n.channel === 'email' && n.status === 'delivered').length;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'recur-paypal-scenario-'));
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

  it('trial with the reminder on day 23, charges on day 30 and a month later, receipts in Dutch, recur equal to PayPal', async () => {
    recur = await startRecur({ cwd: dir, env: env(), timeoutMs: 90_000 });
    const created = await runRecur(['keys', 'create', '--name', 'webshop backend'], { cwd: dir, env: env() });
    expect(created.code, created.stderr).toBe(0);
    apiKey = created.stdout.trim();

    expect((await api('/v1/customers', { method: 'POST', body: CUSTOMER })).status).toBe(201);
    const checkout = await api('/v1/checkout', { method: 'POST', body: { customer: CUSTOMER.external_id, plan: 'monthly', provider: 'paypal', return_url: shopUrl } });
    expect(checkout.status, JSON.stringify(checkout.body)).toBe(201);
    expect(checkout.body.terms).toMatchObject({ trial_days: 30, due_today: { amount_minor: 0 } });

    const page = await browser.newPage();
    await page.goto(String(checkout.body.url));
    await page.getByLabel('pays@payers.recur.test').check();
    await page.getByRole('button', { name: 'Agree & Subscribe' }).click();
    await page.waitForURL((url) => url.href.startsWith(shopUrl));
    const returned = new URL(page.url());
    expect(returned.searchParams.get('checkout')).toBe('success');
    const subscriptionId = returned.searchParams.get('subscription')!;
    // Recorded at the return, before any webhook is needed.
    const recorded = (await api(`/v1/subscriptions/${subscriptionId}`)).body;
    expect(recorded).toMatchObject({ status: 'trialing', provider: 'paypal', plan: 'monthly' });
    const trialEnd = new Date(String(recorded.trial_end));
    const start = new Date(String((await sandbox('/sandbox/clock')).now));
    expect(Math.round((trialEnd.getTime() - start.getTime()) / DAY_MS)).toBe(30);
    await poll('the enrolment confirmation', async () => ((await deliveredCount('enrolment-confirmation')) === 1 ? true : null));

    // The second charge is one calendar month after the first, as PayPal bills (day 61 or so, by the month).
    const secondCharge = new Date(trialEnd);
    secondCharge.setUTCMonth(secondCharge.getUTCMonth() + 1);
    let reminderDay = 0;
    for (let day = 1; day <= 70; day += 1) {
      const now = new Date(start.getTime() + day * DAY_MS);
      await sandbox('/sandbox/clock/advance', { to: now.toISOString() });
      if (day < 23) expect(await deliveredCount('trial-reminder'), `day ${day}`).toBe(0);
      if (day === 23) reminderDay = await poll('the trial reminder on day 23', async () => ((await deliveredCount('trial-reminder')) === 1 ? day : null));
      if (day < 30) expect(await deliveredCount('receipt'), `day ${day}`).toBe(0);
      if (day === 30) {
        await poll('the first receipt on day 30', async () => ((await deliveredCount('receipt')) === 1 ? true : null), 60_000, notifications);
        const renewed = (await api(`/v1/subscriptions/${subscriptionId}`)).body;
        expect(renewed.status).toBe('active');
        expect(new Date(String(renewed.current_period_end)).toISOString()).toBe(secondCharge.toISOString());
      }
      if (day > 30 && now < secondCharge) expect(await deliveredCount('receipt'), `day ${day}`).toBe(1);
      if (now >= secondCharge && now.getTime() - secondCharge.getTime() < DAY_MS) {
        await poll(`the second receipt on day ${day}`, async () => ((await deliveredCount('receipt')) === 2 ? true : null), 60_000, notifications);
      }
    }
    expect(reminderDay).toBe(23);
    expect(await deliveredCount('receipt')).toBe(2);

    const inbox = await mails();
    const subjects = inbox.map((mail) => mail.subject);
    expect(subjects.filter((subject) => /^Betaalbewijs: €\s29,99 /.test(subject))).toHaveLength(2);
    expect(subjects.some((subject) => subject.startsWith('Herinnering: op '))).toBe(true);
    expect(subjects.some((subject) => subject.startsWith('Bevestiging van je abonnement'))).toBe(true);
    expect(inbox.every((mail) => mail.status === 'delivered')).toBe(true);

    // recur's subscription equals PayPal's.
    const atPaypal = await paypal(`/v1/billing/subscriptions/${String(recorded.provider_subscription_id)}`);
    const ours = (await api(`/v1/subscriptions/${subscriptionId}`)).body;
    const billing = atPaypal.billing_info as { next_billing_time: string; last_payment: { time: string } };
    expect(atPaypal.status).toBe('ACTIVE');
    expect({ status: ours.status, periodEnd: new Date(String(ours.current_period_end)).toISOString() }).toEqual({ status: 'active', periodEnd: new Date(billing.next_billing_time).toISOString() });
    expect(new Date(String(ours.current_period_start)).toISOString()).toBe(new Date(billing.last_payment.time).toISOString());
  }, 600_000);
});
