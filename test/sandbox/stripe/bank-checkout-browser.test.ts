import type { Browser } from 'playwright-core';
import type Stripe from 'stripe';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium, skipWithoutChromium, startShopSite, type ShopSite } from '../../support/browser-session.ts';
import { IBAN } from './bank-checkout-kit.ts';
import { intentOfInvoice, startStripe, type StripeKit } from './stripe-kit.ts';

/** The Checkout page and the bank page clicked through in a real browser (Debian's chromium; CI sets RECUR_BROWSER_TESTS=required). */
describe.skipIf(skipWithoutChromium('Stripe sandbox bank payment browser tests'))('Stripe sandbox: iDEAL through the hosted pages in a browser', () => {
  let kit: StripeKit;
  let browser: Browser;
  let shop: ShopSite;

  beforeAll(async () => {
    kit = await startStripe();
    shop = await startShopSite();
    browser = await launchChromium();
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await shop?.close();
    await kit?.stop();
  });

  it('chooses iDEAL and a bank on the checkout page, authorizes on the bank page and lands on success_url; the renewal account is the one chosen', async () => {
    const { stripe } = kit;
    const price = await stripe.prices.create({ currency: 'eur', unit_amount: 2999, recurring: { interval: 'month' }, product_data: { name: 'Club monthly' } });
    const session = await stripe.checkout.sessions.create({
      mode: 'subscription',
      line_items: [{ price: price.id, quantity: 1 }],
      allowed_payment_method_types: ['card', 'ideal', 'sepa_debit'],
      locale: 'nl',
      success_url: `${shop.url}/welcome?session_id={CHECKOUT_SESSION_ID}`,
      cancel_url: `${shop.url}/plans`,
    });
    const page = await browser.newPage();
    page.setDefaultTimeout(10_000);
    const problems: string[] = [];
    page.on('pageerror', (error) => problems.push(error.message));
    await page.goto(session.url!);
    await page.getByLabel('E-mail').fill('sanne@example.nl');
    await page.getByLabel('iDEAL').check();
    await page.getByLabel('Bank', { exact: true }).selectOption('rabobank');
    await page.getByRole('button', { name: 'Subscribe' }).click();
    await page.waitForURL((url) => url.pathname === `/stripe/bank/${session.id}`);
    expect(await page.getByRole('heading').innerText()).toBe('iDEAL test payment');
    expect(await page.locator('#bank-amount').innerText()).toBe('29.99 EUR');
    await page.getByLabel('Later SEPA Direct Debits (sandbox)').selectOption(IBAN.fails);
    await page.getByRole('button', { name: 'Authorize test payment' }).click();
    await page.waitForURL((url) => url.href.startsWith(`${shop.url}/welcome`));
    expect(new URL(page.url()).searchParams.get('session_id')).toBe(session.id);
    expect(problems).toEqual([]);
    await page.close();

    const done = await stripe.checkout.sessions.retrieve(session.id, { expand: ['subscription.default_payment_method', 'customer'] });
    expect(done).toMatchObject({ status: 'complete', payment_status: 'paid', customer_details: { email: 'sanne@example.nl' } });
    const subscription = done.subscription as Stripe.Subscription;
    expect(subscription.status).toBe('active');
    expect((subscription.default_payment_method as Stripe.PaymentMethod).sepa_debit?.last4).toBe(IBAN.fails.slice(-4));
    const charge = await stripe.charges.retrieve(String((await intentOfInvoice(stripe, String(done.invoice))).latest_charge));
    expect(charge.payment_method_details?.ideal).toMatchObject({ bank: 'rabobank', bic: 'RABONL2U' });
  });
});
