import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectAccessible } from '../support/axe-check.ts';
import { skipWithoutChromium, startBrowserSession, startShopSite, type BrowserSession, type ShopSite } from '../support/browser-session.ts';
import { testDatabaseKinds } from '../support/test-database.ts';

/**
 * The dashboard's operations pages in a real browser against a real `recur start` with the
 * sandbox: the overview's charts, the webhook inbox (filter, one event, replay) and the
 * reconciliation runs (start one, watch it finish). No page breaks its own policy, and axe-core
 * finds no serious or critical violation on any of them.
 */
const STAFF = { username: 'bram.staff', password: 'a long staff password 2026' };
const CUSTOMER = { external_id: 'cust-bram', email: 'bram@sportwinkel.test', name: 'Bram Jansen', locale: 'nl' };

describe.skipIf(skipWithoutChromium('admin operations browser test')).each(testDatabaseKinds)('the dashboard operations pages in a browser on %s', { timeout: 180_000 }, (kind) => {
  let session: BrowserSession;
  let shop: ShopSite;

  beforeAll(async () => {
    shop = await startShopSite();
    session = await startBrowserSession(kind, { name: 'recur-admin-operations-browser', staff: STAFF });
  }, 120_000);

  afterAll(async () => {
    await session?.close();
    await shop?.close();
  });

  it('shows the charts, replays an event from the inbox and starts a reconciliation run; accessible throughout', async () => {
    const { api, recur, openBrowser, signInAsStaff } = session;
    expect((await api('/v1/customers', CUSTOMER)).status).toBe(201);
    const shopUrl = `${shop.url}/account`;
    const checkout = await api('/v1/checkout', { customer: CUSTOMER.external_id, plan: 'monthly', provider: 'stripe', return_url: shopUrl });
    expect(checkout.status).toBe(201);

    const { page, problems } = await openBrowser();
    await page.goto(String(checkout.body.url));
    await page.getByRole('button', { name: 'Subscribe' }).click();
    await page.waitForURL((url) => url.href.startsWith(shopUrl));
    // The sandbox's events reach the inbox and the worker settles them.
    await expect.poll(async () => ((await api('/v1/webhook-events?status=received')).body.data as unknown[]).length, { timeout: 30_000 }).toBe(0);
    const settled = (await api('/v1/webhook-events?limit=100')).body.data as { id: number; status: string }[];
    expect(settled.length).toBeGreaterThan(0);

    await signInAsStaff(page);
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
    expect(problems).toEqual([]);

    for (const path of ['/admin', '/admin/webhooks', `/admin/webhooks?status=${replayable.status}`, `/admin/webhooks/${replayable.id}`, '/admin/reconciliation', runPath]) {
      await expectAccessible(page, { url: `${recur.url}${path}` });
    }
    await page.context().close();
  });
});
