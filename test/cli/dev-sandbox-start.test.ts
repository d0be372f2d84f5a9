import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { killSpawnedProcesses, runRecur, startRecur, type RunningRecur } from '../fixtures/recur-process.ts';

type Json = Record<string, unknown>;
type Notification = { id: string; template: string; status: string; delivery_status: string | null };
type Mail = { to: string[]; subject: string | null; custom_args: Record<string, string> };

const DAY_MS = 86_400_000;
// Generous: a start takes seconds, but a busy machine must not fail the test.
const STARTUP_MS = 120_000;
const SHOP = 'https://shop.example/account';
const form = (fields: Record<string, string>) => ({ method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(fields).toString(), redirect: 'manual' as const });

async function call(url: string, init: { key?: string; body?: unknown } = {}): Promise<{ status: number; body: Json }> {
  const response = await fetch(url, {
    method: init.body === undefined ? 'GET' : 'POST',
    headers: { ...(init.key ? { authorization: `Bearer ${init.key}` } : {}), ...(init.body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
  });
  return { status: response.status, body: (await response.json()) as Json };
}

/** Polls `read` until it returns a value, for at most `timeoutMs` (a minute: the promise of the README). */
async function eventually<T>(read: () => Promise<T | null>, what: string, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (value !== null) return value;
    if (Date.now() > deadline) throw new Error(`not within ${timeoutMs} ms: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

const sandboxUrlOf = (server: RunningRecur): string => /sandbox providers on (http:\/\/\S+) /.exec(server.stderr())![1]!;
/** The PayPal line of the banner: `recur sandbox`'s facts for PayPal, as the developer reads them. */
const paypalFactsOf = (server: RunningRecur): Record<string, string> =>
  Object.fromEntries([...(/^\s+paypal\s+(.*)$/m.exec(server.stderr())?.[1] ?? '').matchAll(/(\w+)=(\S+)/g)].map((match) => [match[1]!, match[2]!]));

/** A subscription created at the PayPal sandbox with the printed credentials: PayPal raises BILLING.SUBSCRIPTION.CREATED. */
async function raisePaypalEvent(paypal: Record<string, string>): Promise<void> {
  const basic = Buffer.from(`${paypal.clientId}:${paypal.clientSecret}`).toString('base64');
  const grant = await fetch(`${paypal.baseUrl}/v1/oauth2/token`, { method: 'POST', headers: { authorization: `Basic ${basic}`, 'content-type': 'application/x-www-form-urlencoded' }, body: 'grant_type=client_credentials' });
  const token = ((await grant.json()) as { access_token: string }).access_token;
  const post = async (path: string, body: unknown) => {
    const response = await fetch(`${paypal.baseUrl}${path}`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
    expect(response.status, path).toBe(201);
    return (await response.json()) as Json;
  };
  const product = await post('/v1/catalogs/products', { name: 'Club membership', type: 'SERVICE' });
  const plan = await post('/v1/billing/plans', {
    product_id: product.id,
    name: 'Monthly',
    billing_cycles: [{ tenure_type: 'REGULAR', sequence: 1, total_cycles: 0, frequency: { interval_unit: 'MONTH', interval_count: 1 }, pricing_scheme: { fixed_price: { value: '29.99', currency_code: 'EUR' } } }],
    payment_preferences: { auto_bill_outstanding: true, payment_failure_threshold: 3 },
  });
  await post('/v1/billing/subscriptions', { plan_id: plan.id });
}

// The key-less development setup as the README tells it: `recur start` runs the emulators beside
// the service, recur reads their clock, and their state lives in recur's data directory.
describe('recur start without provider keys (the development sandbox)', { timeout: 4 * STARTUP_MS }, () => {
  let workDir: string;
  let dataDir: string;
  let server: RunningRecur;
  let sandboxUrl: string;
  let key: string;
  let subscriptionId: string;
  // NOTICES_CRON off: only the clock's move may make the reminder go out, never a cron tick that
  // happens to fall within the minute (the default every-5-minutes cron only adds runs).
  const env = (extra: Record<string, string> = {}) => ({ RECUR_DATA_DIR: dataDir, SANDBOX: 'auto', NOTICES_CRON: 'off', ...extra });
  const api = (path: string, body?: unknown) => call(`${server.url}${path}`, { key, body });
  const sandboxNow = async () => new Date(String((await call(`${sandboxUrl}/sandbox/clock`)).body.now));

  beforeAll(async () => {
    workDir = mkdtempSync(join(tmpdir(), 'recur-dev-sandbox-'));
    dataDir = join(workDir, 'data');
    const created = await runRecur(['keys', 'create', '--name', 'dev'], { cwd: workDir, env: env(), timeoutMs: STARTUP_MS });
    expect(created.code, created.stderr).toBe(0);
    key = created.stdout.trim();
    server = await startRecur({ cwd: workDir, env: env(), timeoutMs: STARTUP_MS });
    sandboxUrl = sandboxUrlOf(server);
  }, 2 * STARTUP_MS);
  afterAll(async () => {
    await killSpawnedProcesses();
    rmSync(workDir, { recursive: true, force: true });
  });

  it('reads the sandbox clock, and a move makes the trial reminder arrive and its delivery report count', async () => {
    expect((await api('/v1/customers', { external_id: 'dev-1', email: 'dev-1@example.nl', locale: 'en' })).status).toBe(201);
    const started = await api('/v1/checkout', { customer: 'dev-1', plan: 'monthly', provider: 'stripe', return_url: SHOP });
    expect(started.status, JSON.stringify(started.body)).toBe(201);
    const paid = await fetch(String(started.body.url), form({ card: 'pm_card_visa', action: 'pay' }));
    expect(paid.status).toBe(303);
    // recur's address as the browser reaches it (PUBLIC_BASE_URL says port 0 here: PORT=0).
    const returnPath = new URL(paid.headers.get('location')!);
    const back = await fetch(`${server.url}${returnPath.pathname}${returnPath.search}`, { redirect: 'manual' });
    subscriptionId = new URL(back.headers.get('location')!).searchParams.get('subscription')!;
    const subscription = await api(`/v1/subscriptions/${subscriptionId}`);
    expect(subscription.body).toMatchObject({ status: 'trialing', plan: 'monthly' });
    const trialEnd = new Date(String(subscription.body.trial_end));

    // To the day of the trial reminder (7 days before the first charge), three weeks ahead of real time.
    const reminderDay = new Date(trialEnd.getTime() - 7 * DAY_MS + 60_000);
    const moved = await call(`${sandboxUrl}/sandbox/clock/advance`, { body: { to: reminderDay.toISOString() } });
    expect(moved.status).toBe(200);

    // recur's now is the sandbox's: a row written now carries the moved time.
    const later = await api('/v1/customers', { external_id: 'dev-2', email: 'dev-2@example.nl' });
    const createdAt = new Date(String(later.body.created_at)).getTime();
    expect(createdAt).toBeGreaterThanOrEqual(reminderDay.getTime());
    expect(createdAt).toBeLessThanOrEqual((await sandboxNow()).getTime());

    // Within a minute of the move: sent, and SendGrid's signed delivery report (timestamped on
    // the sandbox clock) accepted.
    const reminder = await eventually(async () => {
      const list = await api('/v1/notifications?customer=dev-1&template=trial-reminder&channel=email');
      const found = (list.body.data as Notification[])[0];
      return found?.status === 'delivered' ? found : null;
    }, 'the trial reminder delivered');
    expect(reminder.delivery_status).toBe('delivered');
    const inbox = (await call(`${sandboxUrl}/sandbox/mail?to=dev-1@example.nl`)).body.data as Mail[];
    expect(inbox.filter((mail) => mail.custom_args.outbox_id === reminder.id)).toHaveLength(1);
    expect(server.stdout()).not.toContain('delivery callback rejected');
  });

  /** PayPal events in recur's inbox (the admin API), newest first. */
  const paypalInbox = async () => ((await api('/v1/webhook-events?provider=paypal')).body.data as { provider_event_id: string; type: string; status: string }[]) ?? [];

  it('wires PayPal to the sandbox: a PayPal event the sandbox signs and sends reaches recur\'s inbox, verified', async () => {
    const paypal = paypalFactsOf(server);
    expect(paypal).toMatchObject({ baseUrl: `${sandboxUrl}/paypal`, clientId: expect.any(String), clientSecret: expect.any(String), webhookId: expect.any(String), inbox: `${sandboxUrl}/paypal/sandbox/events.html` });
    expect(await paypalInbox()).toEqual([]);
    await raisePaypalEvent(paypal);
    const stored = await eventually(async () => (await paypalInbox()).find((event) => event.type === 'BILLING.SUBSCRIPTION.CREATED') ?? null, 'the PayPal event in recur\'s inbox');
    // Answered 200 by recur (stored after its offline check of the sandbox's signature), once.
    const deliveries = (await call(`${sandboxUrl}/sandbox/webhooks/deliveries`)).body.data as { provider: string; eventId: string; url: string; status: string; lastStatusCode: number | null }[];
    expect(deliveries.filter((delivery) => delivery.eventId === stored.provider_event_id)).toEqual([expect.objectContaining({ provider: 'paypal', url: `${server.url}/webhooks/paypal`, status: 'delivered', lastStatusCode: 200 })]);
    // The sandbox's page of sent PayPal events (the banner's PayPal inbox) lists it.
    expect(await (await fetch(paypal.inbox!)).text()).toContain(stored.provider_event_id);
  });

  it('keeps the sandbox state, owner-only, in the data directory across a restart', async () => {
    const webhookIdBefore = paypalFactsOf(server).webhookId;
    const clockBefore = await sandboxNow();
    expect(await server.stop('SIGTERM')).toEqual({ code: 0, signal: null });
    const stateFile = join(dataDir, 'sandbox-state.json');
    expect(statSync(stateFile).mode & 0o777).toBe(0o600);
    expect(statSync(dataDir).mode & 0o777).toBe(0o700);

    server = await startRecur({ cwd: workDir, env: env(), timeoutMs: STARTUP_MS });
    sandboxUrl = sandboxUrlOf(server);
    expect((await sandboxNow()).getTime()).toBeGreaterThanOrEqual(clockBefore.getTime());
    // The same Stripe customer and subscription, still at the sandbox.
    const portal = await api('/v1/customers/dev-1/billing-portal', { return_url: SHOP });
    expect(portal.status, JSON.stringify(portal.body)).toBe(201);
    const checkout = await api('/v1/checkout', { customer: 'dev-1', plan: 'yearly', provider: 'stripe', return_url: SHOP });
    expect([201, 409], JSON.stringify(checkout.body)).toContain(checkout.status);
    const cancel = await api(`/v1/subscriptions/${subscriptionId}/cancel`, { at: 'period_end' });
    expect(cancel.status, JSON.stringify(cancel.body)).toBe(200);

    // PayPal's webhook kept its id (recur's new port is its new URL), and deliveries still verify.
    const paypal = paypalFactsOf(server);
    expect(paypal.webhookId).toBe(webhookIdBefore);
    const before = (await paypalInbox()).length;
    await raisePaypalEvent(paypal);
    await eventually(async () => ((await paypalInbox()).length > before ? true : null), 'a PayPal event after the restart in recur\'s inbox');
    // One webhook at the sandbox, at recur's address now: the one the first start moved was reused, none left behind.
    const described = (await call(`${sandboxUrl}/sandbox`)).body as { providers: { paypal: { webhooks: { id: string; url: string }[] } } };
    expect(described.providers.paypal.webhooks).toEqual([{ id: webhookIdBefore, url: `${server.url}/webhooks/paypal` }]);
  });

  it('says clearly when the linked Stripe customer is gone (an explicit SANDBOX_STATE_FILE wins, here an empty one)', async () => {
    expect(await server.stop('SIGTERM')).toEqual({ code: 0, signal: null });
    const elsewhere = join(workDir, 'elsewhere', 'sandbox.json');
    server = await startRecur({ cwd: workDir, env: env({ SANDBOX_STATE_FILE: elsewhere }), timeoutMs: STARTUP_MS });

    const portal = await api('/v1/customers/dev-1/billing-portal', { return_url: SHOP });
    expect(portal.status).toBe(502);
    const error = portal.body.error as { code: string; message: string };
    expect(error.code).toBe('provider_failure');
    expect(error.message).toMatch(/No such customer: 'cus_\w+'/);
    expect(error.message).toContain('STRIPE_SECRET_KEY');
    // (A checkout is refused before Stripe is asked: the customer still has a live subscription in recur.)
    const cancel = await api(`/v1/subscriptions/${subscriptionId}/cancel`, { at: 'now' });
    expect(cancel.status, JSON.stringify(cancel.body)).toBe(502);
    expect((cancel.body.error as { message: string }).message).toMatch(/No such subscription/);

    expect(await server.stop('SIGTERM')).toEqual({ code: 0, signal: null });
    expect(existsSync(elsewhere)).toBe(true);
  });
});
