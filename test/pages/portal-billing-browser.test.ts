import Stripe from 'stripe';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectAccessible } from '../support/axe-check.ts';
import { payStripeCheckout, skipWithoutChromium, startBrowserSession, type BrowserSession } from '../support/browser-session.ts';
import { poll } from '../support/poll.ts';
import { testDatabaseKinds } from '../support/test-database.ts';

/**
 * The portal's billing pages in a real browser against a key-less `recur start` with the sandbox:
 * overview -> payments -> receipt -> change plan (the preview, one confirm), and the charge Stripe
 * made (read through the official SDK) equals the amount the preview showed; the payment-method
 * button reaches Stripe's billing portal (the page's policy lets the form go there) and its
 * return link leads back to the portal. axe-core on every page, in Dutch and English.
 */
type SandboxInfo = { url: string; providers: { stripe: { apiKey: string; sdk: { host: string; port: number; protocol: 'http' } } } };

describe.skipIf(skipWithoutChromium('portal billing browser test')).each(testDatabaseKinds)('the portal\'s billing pages in a browser (%s)', (kind) => {
  let session: BrowserSession;

  async function subscribe(externalId: string): Promise<string> {
    expect((await session.api('/v1/customers', { external_id: externalId, email: `${externalId}@sportwinkel.test`, locale: 'nl', time_zone: 'Europe/Amsterdam' })).status).toBe(201);
    const checkout = await session.api('/v1/checkout', { customer: externalId, plan: 'monthly', provider: 'stripe', return_url: 'https://sportwinkel.test/account' });
    expect(checkout.status, JSON.stringify(checkout.body)).toBe(201);
    return payStripeCheckout(String(checkout.body.url));
  }

  beforeAll(async () => {
    session = await startBrowserSession(kind, { name: 'recur-portal-billing-browser' });
  }, 120_000);

  afterAll(() => session?.close());

  it('overview -> payments -> receipt -> change plan: the charge at Stripe is the preview; the billing portal and back; accessible in Dutch and English', async () => {
    const { api, recur, sandboxUrl, openBrowser } = session;
    const subscriptionId = await subscribe('cust-bram');
    // The trial (30 days) ends and the first month is charged; ten days later the customer looks.
    const advanced = await fetch(`${sandboxUrl()}/sandbox/clock/advance`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ days: 40 }) });
    expect(advanced.status).toBe(200);
    await poll('the first payment recorded', async () => (((await api('/v1/payments?customer=cust-bram')).body.data as unknown[]).length > 0 ? true : null), 60_000);
    const info = (await (await fetch(`${sandboxUrl()}/sandbox`)).json()) as SandboxInfo;
    const stripe = new Stripe(info.providers.stripe.apiKey, info.providers.stripe.sdk);
    const providerSubscriptionId = String((await api(`/v1/subscriptions/${subscriptionId}`)).body.provider_subscription_id);

    const link = await api('/v1/customers/cust-bram/portal-sessions', { return_url: 'https://sportwinkel.test/account' });
    expect(link.status).toBe(201);
    const { page, problems } = await openBrowser();
    await page.goto(String(link.body.url));
    expect(new URL(page.url()).pathname).toBe('/portal');
    await expectAccessible(page);

    // Payments, from the portal's navigation, then the receipt.
    await page.getByRole('navigation', { name: 'Mijn account' }).getByRole('link', { name: 'Betalingen' }).click();
    expect(new URL(page.url()).pathname).toBe('/portal/payments');
    expect(await page.locator('tbody').innerText()).toContain('€\u00a029,99');
    await expectAccessible(page);
    await page.getByRole('link', { name: /^Bon van .* bekijken$/ }).first().click();
    expect(new URL(page.url()).pathname).toMatch(/^\/portal\/payments\/[0-9a-f-]{36}$/);
    const receipt = await page.locator('main').innerText();
    expect(receipt).toContain('Betaalbewijs van Sportwinkel de Vries');
    expect(receipt).toContain('Abonnement Maandelijks');
    expect(receipt).toContain('visa •••• 4242 via Stripe');
    await expectAccessible(page);

    // Change plan: the preview, then one confirm.
    await page.getByRole('link', { name: 'Overzicht' }).click();
    await page.getByRole('link', { name: 'Abonnement wijzigen' }).click();
    expect(new URL(page.url()).pathname).toBe('/portal/change-plan');
    const shown = (await page.locator('dt:has-text("Nu betalen") + dd').innerText()).trim();
    expect(shown).toMatch(/^€\u00a0\d+,\d\d$/);
    expect(await page.getByRole('button').allTextContents()).toEqual(['Wijziging bevestigen']);
    await expectAccessible(page);
    await page.getByRole('button', { name: 'Wijziging bevestigen' }).click();
    await page.waitForURL((url) => url.searchParams.has('switched'));
    expect(await page.getByRole('status').innerText()).toBe('Je abonnement is gewijzigd naar Jaarlijks.');
    const invoices = (await stripe.invoices.list({ subscription: providerSubscriptionId })).data.filter((invoice) => invoice.billing_reason === 'subscription_update');
    expect(invoices).toHaveLength(1);
    expect(new Intl.NumberFormat('nl-NL', { style: 'currency', currency: 'EUR' }).format(invoices[0]!.amount_paid / 100)).toBe(shown);
    expect((await stripe.subscriptions.retrieve(providerSubscriptionId)).items.data[0]!.price.lookup_key).toBe('recur_yearly');

    // Update payment method: Stripe's billing portal (the sandbox's), and its way back to the portal.
    await page.getByRole('link', { name: 'Betaalgegevens bijwerken' }).first().click();
    expect(new URL(page.url()).pathname).toBe('/portal/payment-method');
    await expectAccessible(page);
    await page.getByRole('button', { name: 'Naar de betaalpagina van Stripe' }).click();
    await page.waitForURL((url) => url.origin === new URL(sandboxUrl()).origin);
    await page.getByRole('link', { name: 'Return' }).click();
    await page.waitForURL((url) => url.origin === recur.url && url.pathname === '/portal');
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('Mijn abonnement');

    // The same pages in English.
    const english = await api('/v1/customers/cust-bram/portal-sessions', { return_url: 'https://sportwinkel.test/account', locale: 'en' });
    const en = await openBrowser();
    await en.page.goto(String(english.body.url));
    await expectAccessible(en.page);
    await en.page.getByRole('link', { name: 'Payments' }).click();
    expect(await en.page.locator('tbody').innerText()).toContain('Paid');
    await expectAccessible(en.page);
    await en.page.getByRole('link', { name: /^View the receipt of / }).first().click();
    expect(await en.page.locator('main').innerText()).toContain('Receipt from Sportwinkel de Vries');
    await expectAccessible(en.page);
    await en.page.getByRole('link', { name: 'Overview' }).click();
    await en.page.getByRole('link', { name: 'Change plan' }).click();
    expect(await en.page.locator('main').innerText()).toContain('From Yearly');
    await expectAccessible(en.page);
    await en.page.getByRole('link', { name: 'Back to the overview' }).click();
    await en.page.getByRole('link', { name: 'Update payment method' }).first().click();
    await expectAccessible(en.page);

    expect([...problems, ...en.problems]).toEqual([]);
  }, 300_000);
});
