import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { killSpawnedProcesses, runRecur, startRecur, type RunningRecur } from '../fixtures/recur-process.ts';
import { freePort } from '../support/free-port.ts';
import { poll } from '../support/poll.ts';
import { startShopReceiver } from '../support/shop-receiver.ts';
import { openTestDatabase, testDatabaseKinds, type TestDatabase } from '../support/test-database.ts';

const DAY_MS = 86_400_000;
type ShopEvent = { id: string; type: string; timestamp: string; data: Record<string, unknown> & { sequence: number; customer: string } };

/**
 * The shop's side of the wire, as a shop meets it on the key-less start: an endpoint registered
 * through the API at a receiving server, then two customers through the sandbox's Stripe checkout
 * (one card that pays, one that is refused at the first charge), the sandbox clock moved through
 * the trial, a renewal and a cancel. Every event the receiver gets is verified with the
 * `standardwebhooks` package and the secret shown at creation; each arrives once per id, numbered
 * 1, 2, 3, … per customer; and the trial's end never tells the shop `entitled: false` before the
 * conversion does.
 */
describe.each(testDatabaseKinds)('signed events at the shop from sandbox checkouts on the key-less start (%s)', (kind) => {
  let dir: string;
  let database: TestDatabase | null = null;
  let recur: RunningRecur;
  let receiver: Awaited<ReturnType<typeof startShopReceiver>>;
  let apiKey: string;
  let secret: string;

  const env = (port: number): Record<string, string> => ({
    RECUR_DATA_DIR: join(dir, '.recur'),
    LOG_LEVEL: 'warn',
    PORT: String(port),
    SANDBOX_PORT: '0',
    SHOP_NAME: 'Sportwinkel de Vries',
    ...(database ? { DATABASE_URL: database.url! } : {}),
  });
  const sandboxUrl = () => /sandbox providers on (http:\/\/\S+) /.exec(recur.stderr())![1]!;
  const api = async (path: string, body?: unknown) => {
    const response = await fetch(`${recur.url}${path}`, {
      method: body ? 'POST' : 'GET',
      headers: { authorization: `Bearer ${apiKey}`, ...(body ? { 'content-type': 'application/json' } : {}) },
      ...(body ? { body: JSON.stringify(body) } : {}),
    });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  };
  const moveClock = async (to: Date) => {
    const response = await fetch(`${sandboxUrl()}/sandbox/clock/advance`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ to: to.toISOString() }) });
    expect(response.status).toBe(200);
  };
  const sandboxNow = async () => new Date(((await (await fetch(`${sandboxUrl()}/sandbox/clock`)).json()) as { now: string }).now);

  /** Every accepted delivery, verified as the shop verifies it; one per webhook-id. */
  const received = (): ShopEvent[] => {
    const byId = new Map<string, ShopEvent>();
    for (const request of receiver.accepted()) {
      const verified = receiver.verify(request, secret);
      if (!verified.ok) throw new Error(`a delivery failed verification: ${verified.error}`);
      byId.set(String(request.headers['webhook-id']), { id: String(request.headers['webhook-id']), ...(verified.payload as Omit<ShopEvent, 'id'>) });
    }
    return [...byId.values()];
  };
  const eventsOf = (customer: string) => received().filter((event) => event.data.customer === customer).sort((a, b) => a.data.sequence - b.data.sequence);
  const typesOf = (customer: string) => eventsOf(customer).map((event) => event.type);
  const waitForTypes = (customer: string, types: string[]) =>
    poll(`${types.join(', ')} for ${customer}`, async () => (types.every((type) => typesOf(customer).includes(type)) ? true : null), 60_000, async () => typesOf(customer));

  /** Customer and Stripe checkout through recur's API, paid on the sandbox's hosted page with `card`, back through recur's return. */
  async function subscribe(externalId: string, card: string): Promise<string> {
    expect((await api('/v1/customers', { external_id: externalId, email: `${externalId}@sportwinkel.test`, locale: 'nl' })).status).toBe(201);
    const checkout = await api('/v1/checkout', { customer: externalId, plan: 'monthly', provider: 'stripe', return_url: 'https://sportwinkel.test/account' });
    expect(checkout.status, JSON.stringify(checkout.body)).toBe(201);
    const paid = await fetch(String(checkout.body.url), { method: 'POST', redirect: 'manual', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ card, action: 'pay' }) });
    expect(paid.status).toBe(303);
    const back = await fetch(String(paid.headers.get('location')), { redirect: 'manual' });
    expect(back.status, await back.clone().text()).toBe(303);
    const shop = new URL(String(back.headers.get('location')));
    expect(shop.searchParams.get('checkout')).toBe('success');
    return shop.searchParams.get('subscription')!;
  }

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'recur-shop-webhooks-'));
    if (kind === 'postgres') database = await openTestDatabase('postgres');
    const port = await freePort();
    recur = await startRecur({ cwd: dir, env: env(port), timeoutMs: 90_000 });
    const created = await runRecur(['keys', 'create', '--name', 'webshop backend'], { cwd: dir, env: env(port) });
    expect(created.code, created.stderr).toBe(0);
    apiKey = created.stdout.trim().split('\n')[0]!;
    receiver = await startShopReceiver();
  }, 120_000);

  afterAll(async () => {
    await killSpawnedProcesses();
    await receiver?.close();
    await database?.dispose();
    rmSync(dir, { recursive: true, force: true });
  });

  it('checkout, trial, conversion, renewal, a refused first charge and a cancel: each event once, signed, numbered per customer', async () => {
    const endpoint = await api('/v1/webhook-endpoints', { url: receiver.url, event_types: ['*'], description: 'shop backend' });
    expect(endpoint.status, JSON.stringify(endpoint.body)).toBe(201);
    secret = String(endpoint.body.secret);
    expect(secret).toMatch(/^whsec_/);

    const start = await sandboxNow();
    const paying = await subscribe('cust-daan', 'pm_card_visa');
    const refused = await subscribe('cust-eline', 'pm_card_chargeCustomerFail');
    for (const customer of ['cust-daan', 'cust-eline']) {
      await waitForTypes(customer, ['customer.created', 'subscription.created', 'subscription.trial_started', 'entitlement.changed']);
      expect(typesOf(customer)[0]).toBe('customer.created');
      const entitlement = eventsOf(customer).find((event) => event.type === 'entitlement.changed')!;
      expect(entitlement.data).toMatchObject({ entitled: true, reason: 'trialing' });
    }
    const created = eventsOf('cust-daan').find((event) => event.type === 'subscription.created')!;
    expect(created.data).toMatchObject({ id: paying, status: 'trialing', plan: 'monthly' });

    // Past the trial (30 days), a day at a time: Daan's card pays, Eline's is refused.
    for (let day = 1; day <= 31; day += 1) await moveClock(new Date(start.getTime() + day * DAY_MS));
    await waitForTypes('cust-daan', ['payment.succeeded']);
    await waitForTypes('cust-eline', ['payment.failed', 'subscription.past_due']);
    const converted = eventsOf('cust-daan').filter((event) => event.type === 'entitlement.changed');
    // Entitled all along: trialing, then active, never a denial between the trial's end and the charge.
    expect(converted.map((event) => [event.data.entitled, event.data.reason])).toEqual([
      [true, 'trialing'],
      [true, 'active'],
    ]);
    const failed = eventsOf('cust-eline').find((event) => event.type === 'payment.failed')!;
    expect(failed.data).toMatchObject({ status: 'failed', amount_minor: 2999, currency: 'EUR' });

    // A month later Daan renews; then cancels at the end of that period, which ends it.
    for (let day = 32; day <= 62; day += 1) await moveClock(new Date(start.getTime() + day * DAY_MS));
    await poll('the renewal', async () => (eventsOf('cust-daan').filter((event) => event.type === 'payment.succeeded').length === 2 ? true : null), 60_000, async () => typesOf('cust-daan'));
    expect(typesOf('cust-daan')).toContain('subscription.renewed');
    const cancel = await api(`/v1/subscriptions/${paying}/cancel`, { at: 'period_end' });
    expect(cancel.status, JSON.stringify(cancel.body)).toBe(200);
    await waitForTypes('cust-daan', ['subscription.cancel_scheduled']);
    for (let day = 63; day <= 95; day += 1) await moveClock(new Date(start.getTime() + day * DAY_MS));
    await waitForTypes('cust-daan', ['subscription.canceled']);
    await poll('the entitlement ending', async () => (eventsOf('cust-daan').some((event) => event.type === 'entitlement.changed' && event.data.entitled === false) ? true : null), 60_000, async () => typesOf('cust-daan'));
    expect(eventsOf('cust-daan').filter((event) => event.type === 'entitlement.changed').at(-1)!.data).toMatchObject({ entitled: false, reason: 'canceled' });

    // Per customer: 1, 2, 3, … with no gap and no repeat, whatever order they arrived in.
    for (const customer of ['cust-daan', 'cust-eline']) {
      const sequences = eventsOf(customer).map((event) => event.data.sequence);
      expect(sequences).toEqual(sequences.map((_, index) => index + 1));
    }
    // Once per event: no webhook-id was accepted twice.
    const ids = receiver.accepted().map((request) => String(request.headers['webhook-id']));
    expect(new Set(ids).size).toBe(ids.length);
    expect(refused).toMatch(/^[0-9a-f-]{36}$/);
  }, 300_000);
});
