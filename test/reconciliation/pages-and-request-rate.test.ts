import Stripe from 'stripe';
import { afterEach, describe, expect, it } from 'vitest';
import { createStripeGateway } from '../../src/providers/payments/stripe/create-stripe-gateway.ts';
import { reconcileProvider } from '../../src/services/reconciliation/reconcile-provider.ts';
import type { RateTimer } from '../../src/services/reconciliation/request-rate-limiter.ts';
import { syncPlansToProvider } from '../../src/services/sync/sync-plans-to-providers.ts';
import { KEY, sdk, startStripe, type StripeKit } from '../sandbox/stripe/stripe-kit.ts';
import { startTestApp, type TestApp } from '../support/test-app.ts';
import { testDatabaseKinds } from '../support/test-database.ts';
import { stripeOnly } from '../support/payment-providers.ts';

type Request = { method: string; path: string; query: URLSearchParams; at: number };

/** Time that passes only when the rate limiter waits: a second is counted, never waited for. */
function virtualTimer(): RateTimer {
  let now = 0;
  return { now: () => now, sleep: async (ms) => void (now += ms) };
}

/** recur against the sandbox through an SDK whose every request is recorded (at the limiter's time). */
async function startCountedApp(kind: (typeof testDatabaseKinds)[number], perSecond: number, timer: RateTimer) {
  const kit = await startStripe();
  const t = await startTestApp(kind, { settings: { STRIPE_MAX_REQUESTS_PER_SECOND: perSecond } });
  const requests: Request[] = [];
  const counting: typeof fetch = (input, init) => {
    const url = new URL(input instanceof Request ? input.url : String(input));
    requests.push({ method: init?.method ?? 'GET', path: url.pathname, query: url.searchParams, at: timer.now() });
    return fetch(input, init);
  };
  const stripe = sdk(kit.sandbox, KEY, { httpClient: Stripe.createFetchHttpClient(counting) });
  const gateway = createStripeGateway(stripe);
  t.ctx.payments = stripeOnly(gateway, 'http://recur.test');
  await syncPlansToProvider(gateway, t.ctx.config.catalogue.plans, t.ctx.config.DEFAULT_LOCALE);
  return { kit, t, requests };
}

/** Subscriptions made at Stripe alone (the dashboard, another system): recur has never heard of them. */
async function createTrialSubscriptions(kit: StripeKit, count: number): Promise<void> {
  const price = (await kit.stripe.prices.list({ lookup_keys: ['recur_monthly'] })).data[0]!;
  const createOne = async (index: number) => {
    const customer = await kit.stripe.customers.create({ email: `buyer${index}@example.nl` });
    await kit.stripe.subscriptions.create({ customer: customer.id, items: [{ price: price.id }], trial_period_days: 30 });
  };
  for (let from = 0; from < count; from += 10) await Promise.all(Array.from({ length: Math.min(10, count - from) }, (_, offset) => createOne(from + offset)));
}

/** The largest number of requests sent within any one second. */
const mostInOneSecond = (requests: readonly Request[]) => Math.max(...requests.map((first) => requests.filter((other) => other.at >= first.at && other.at < first.at + 1000).length));

describe.each(testDatabaseKinds)('reconciliation cost and rate on %s', (kind) => {
  let kit: StripeKit | null = null;
  let t: TestApp | null = null;
  afterEach(async () => {
    await t?.close();
    await kit?.stop();
    t = null;
    kit = null;
  });

  it('lists 250 subscriptions in ceil(250/100) pages, records them all, and asks again for nothing', async () => {
    const timer = virtualTimer();
    const app = await startCountedApp(kind, 5, timer);
    ({ kit, t } = app);
    await createTrialSubscriptions(app.kit, 250);
    app.requests.length = 0;

    const run = await reconcileProvider(app.t.ctx, { provider: 'stripe', trigger: 'cli', rateTimer: timer });
    expect(run.status).toBe('succeeded');
    expect(run.counts.missing_locally).toBe(250);
    expect((await app.t.ctx.db.query<{ n: number }>("SELECT count(*)::int AS n FROM subscriptions WHERE status = 'trialing' AND plan_id = 'monthly'")).rows[0]!.n).toBe(250);

    const subscriptionLists = app.requests.filter((request) => request.path === '/v1/subscriptions');
    expect(subscriptionLists).toHaveLength(3);
    for (const request of subscriptionLists) expect([request.query.get('status'), request.query.get('limit'), request.query.get('expand[0]')]).toEqual(['all', '100', 'data.customer']);
    // E-mails are compared from the expanded customers: no customers list.
    expect(app.requests.filter((request) => request.path === '/v1/customers')).toHaveLength(0);
    // Never one request per object.
    expect(app.requests.filter((request) => /^\/v1\/(subscriptions|customers)\/./.test(request.path))).toEqual([]);
    expect(run.requests).toBe(app.requests.length);

    // At most 5 a second (virtual time stands still between waits, so without the limiter all would fall in one second).
    expect(app.requests.length).toBeGreaterThan(10);
    expect(mostInOneSecond(app.requests)).toBe(5);
    expect(timer.now()).toBeGreaterThanOrEqual(Math.floor((app.requests.length - 1) / 5) * 1000);

    app.requests.length = 0;
    const second = await reconcileProvider(app.t.ctx, { provider: 'stripe', trigger: 'cli', rateTimer: timer });
    expect(second.counts).toEqual({});
    expect(app.requests.filter((request) => request.path === '/v1/subscriptions')).toHaveLength(3);
    expect(app.requests.filter((request) => request.method !== 'GET')).toEqual([]);
  }, 60_000);
});
