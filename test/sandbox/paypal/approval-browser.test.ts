import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningSandbox } from '../../../sandbox/core/start-sandbox.ts';
import { launchChromium, skipWithoutChromium, startShopSite, type ShopSite } from '../../support/browser-session.ts';
import { accessToken, linkOf, monthlyPlan, paypalCall, startPaypalSandbox } from './paypal-kit.ts';

/** The hosted approval pages clicked through in a real browser (Debian's chromium; CI sets RECUR_BROWSER_TESTS=required). */
let sandbox: RunningSandbox;
let browser: Browser;
let shop: ShopSite;
let shopUrl: string;
let token: string;

describe.skipIf(skipWithoutChromium('PayPal approval page browser tests'))('PayPal sandbox: hosted approval in a browser', () => {
  beforeAll(async () => {
    sandbox = await startPaypalSandbox();
    token = await accessToken(sandbox.url);
    shop = await startShopSite();
    shopUrl = shop.url;
    browser = await launchChromium();
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await shop?.close();
    await sandbox?.stop();
  });

  it('a subscription: choose a test payer, "Agree & Subscribe", back at the return URL with subscription_id, ba_token and token; ACTIVE', async () => {
    const product = await paypalCall(sandbox.url, token, 'POST', '/v1/catalogs/products', { name: 'recur Pro', type: 'SERVICE' });
    const plan = await paypalCall(sandbox.url, token, 'POST', '/v1/billing/plans', monthlyPlan(product.body.id as string, { trialDays: 30 }));
    const created = await paypalCall(sandbox.url, token, 'POST', '/v1/billing/subscriptions', { plan_id: plan.body.id, custom_id: 'cust-anna', application_context: { brand_name: 'Sportwinkel', return_url: `${shopUrl}/paypal/return`, cancel_url: `${shopUrl}/paypal/cancel` } });
    const page = await browser.newPage();
    await page.goto(linkOf(created.body, 'approve'));
    expect(await page.getByText('Free for 30 day(s), then 9.99 EUR every month.').isVisible()).toBe(true);
    await page.getByLabel('renewals-fail@payers.recur.test').check();
    await page.getByRole('button', { name: 'Agree & Subscribe' }).click();
    await page.waitForURL((url) => url.href.startsWith(`${shopUrl}/paypal/return`));
    const returned = new URL(page.url());
    expect(returned.searchParams.get('subscription_id')).toBe(created.body.id);
    expect(returned.searchParams.get('ba_token')).toMatch(/^BA-/);
    expect(returned.searchParams.get('token')).toMatch(/^EC-/);
    const subscription = await paypalCall(sandbox.url, token, 'GET', `/v1/billing/subscriptions/${created.body.id as string}`);
    expect(subscription.body).toMatchObject({ status: 'ACTIVE', custom_id: 'cust-anna', subscriber: { email_address: 'renewals-fail@payers.recur.test' } });
    await page.close();
  });

  it('an order: "Continue" as the default payer, back with token and PayerID; the order is APPROVED; cancel goes to the cancel URL', async () => {
    const created = await paypalCall(sandbox.url, token, 'POST', '/v2/checkout/orders', {
      intent: 'CAPTURE',
      purchase_units: [{ amount: { currency_code: 'EUR', value: '119.88' }, custom_id: 'cust-anna', description: '12 months' }],
      payment_source: { paypal: { experience_context: { return_url: `${shopUrl}/order/return`, cancel_url: `${shopUrl}/order/cancel` } } },
    });
    const page = await browser.newPage();
    await page.goto(linkOf(created.body, 'payer-action'));
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.waitForURL((url) => url.href.startsWith(`${shopUrl}/order/return`));
    expect(new URL(page.url()).searchParams.get('token')).toBe(created.body.id);
    expect((await paypalCall(sandbox.url, token, 'GET', `/v2/checkout/orders/${created.body.id as string}`)).body.status).toBe('APPROVED');

    const other = await paypalCall(sandbox.url, token, 'POST', '/v2/checkout/orders', {
      intent: 'CAPTURE',
      purchase_units: [{ amount: { currency_code: 'EUR', value: '9.99' } }],
      application_context: { return_url: `${shopUrl}/order/return`, cancel_url: `${shopUrl}/order/cancel` },
    });
    await page.goto(linkOf(other.body, 'approve'));
    await page.getByRole('link', { name: 'Cancel and return to merchant' }).click();
    await page.waitForURL((url) => url.href.startsWith(`${shopUrl}/order/cancel`));
    expect((await paypalCall(sandbox.url, token, 'GET', `/v2/checkout/orders/${other.body.id as string}`)).body.status).toBe('CREATED');
    await page.close();
  });
});
