import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectAccessible } from '../support/axe-check.ts';
import { skipWithoutChromium, startBrowserSession, startShopSite, type BrowserSession, type ShopSite } from '../support/browser-session.ts';
import { testDatabaseKinds } from '../support/test-database.ts';

/**
 * The dashboard in a real browser against a real `recur start` (the sandbox beside it): a staff
 * account made with the CLI while the service runs, a customer who checked out in the sandbox,
 * then sign-in, the overview, a search by e-mail and the customer's page, by keyboard and mouse.
 * No page breaks its own policy (no inline script or style), and axe-core finds no serious or
 * critical violation on any of them.
 */
const STAFF = { username: 'anna.staff', password: 'a long staff password 2026' };
const CUSTOMER = { external_id: 'cust-anna', email: 'anna@sportwinkel.test', name: 'Anna de Vries', locale: 'nl' };

describe.skipIf(skipWithoutChromium('admin dashboard browser test')).each(testDatabaseKinds)('the admin dashboard in a browser on %s', { timeout: 180_000 }, (kind) => {
  let session: BrowserSession;
  let shop: ShopSite;

  beforeAll(async () => {
    shop = await startShopSite();
    session = await startBrowserSession(kind, { name: 'recur-admin-browser', staff: STAFF });
  }, 120_000);

  afterAll(async () => {
    await session?.close();
    await shop?.close();
  });

  it('signs in, shows the overview, finds the customer by e-mail and opens their page; accessible throughout', async () => {
    const { api, recur, openBrowser } = session;
    expect((await api('/v1/customers', CUSTOMER)).status).toBe(201);
    const shopUrl = `${shop.url}/account`;
    const checkout = await api('/v1/checkout', { customer: CUSTOMER.external_id, plan: 'yearly', provider: 'stripe', return_url: shopUrl });
    expect(checkout.status).toBe(201);

    const { page, problems } = await openBrowser();
    await page.goto(String(checkout.body.url));
    await page.getByRole('button', { name: 'Subscribe' }).click();
    await page.waitForURL((url) => url.href.startsWith(shopUrl));

    // Without a session the dashboard sends the browser to the sign-in page.
    await page.goto(`${recur.url}/admin/customers`);
    expect(new URL(page.url()).pathname).toBe('/admin/sign-in');
    await page.getByLabel('Username').fill(STAFF.username);
    await page.getByLabel('Password', { exact: true }).fill(STAFF.password);
    // By keyboard: Enter in the password field submits its form.
    await page.getByLabel('Password', { exact: true }).press('Enter');
    await page.waitForURL(`${recur.url}/admin`);
    await expect.poll(() => page.getByRole('heading', { level: 1 }).textContent()).toBe('Overview');
    expect(await page.locator('[data-figure="trialing"]').textContent()).toBe('1');
    const cookies = await page.context().cookies();
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
    expect(problems).toEqual([]);

    for (const path of ['/admin/sign-in', '/admin', `/admin/customers?q=${encodeURIComponent(CUSTOMER.email)}`, `/admin/customers/${CUSTOMER.external_id}`]) {
      await expectAccessible(page, { url: `${recur.url}${path}` });
    }

    // Sign out: the session is gone, and the pages ask to sign in again.
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.waitForURL(`${recur.url}/admin/sign-in`);
    await page.goto(`${recur.url}/admin`);
    expect(new URL(page.url()).pathname).toBe('/admin/sign-in');
    await page.context().close();
  });

  it('cancels the subscription at period end from its page, bans the customer, and shows notices and the audit log; accessible throughout', async () => {
    const { recur, openBrowser, signInAsStaff } = session;
    const { page, problems } = await openBrowser();
    await signInAsStaff(page);

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
    expect(problems).toEqual([]);

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
      await expectAccessible(page, { url: `${recur.url}${path}` });
    }
    await page.context().close();
  });
});
