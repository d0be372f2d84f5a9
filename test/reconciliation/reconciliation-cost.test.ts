import Stripe from 'stripe';
import { afterEach, describe, expect, it } from 'vitest';
import { createStripeGateway } from '../../src/providers/payments/stripe/create-stripe-gateway.ts';
import { stripeEventHandlers } from '../../src/providers/payments/stripe/events/stripe-event-handlers.ts';
import { reconcileProvider } from '../../src/services/reconciliation/reconcile-provider.ts';
import { sdk } from '../sandbox/stripe/stripe-kit.ts';
import { stripeState } from '../stripe/stripe-test-kit.ts';
import { startRunningRecur, waitUntilSettled, type RunningRecur } from '../stripe/running-recur.ts';
import { testDatabaseKinds } from '../support/test-database.ts';
import { referenceState } from './missed-webhooks.ts';
import { stripeOnly } from '../support/payment-providers.ts';

type SentRequest = { method: string; path: string; query: URLSearchParams };

/**
 * recur (webhooks switched off at Stripe, so everything is missed) whose reconciliation talks to
 * the sandbox through an SDK that records every request; `beforeRequest` may act at Stripe just
 * before a given request is sent (something happening at Stripe while the run reads).
 */
async function startMissingEverything(kind: (typeof testDatabaseKinds)[number]) {
  const recur = await startRunningRecur(kind);
  const requests: SentRequest[] = [];
  const hooks: ((request: SentRequest) => Promise<void>)[] = [];
  const counting: typeof fetch = async (input, init) => {
    const url = new URL(input instanceof Request ? input.url : String(input));
    const request = { method: init?.method ?? 'GET', path: url.pathname, query: url.searchParams };
    for (const hook of hooks.splice(0)) await hook(request);
    requests.push(request);
    return fetch(input, init);
  };
  recur.t.ctx.payments = stripeOnly(createStripeGateway(sdk(recur.kit.sandbox, undefined, { httpClient: Stripe.createFetchHttpClient(counting) })), recur.baseUrl);
  await recur.kit.stripe.webhookEndpoints.update(recur.endpointId, { disabled: true });
  return { recur, requests, beforeNextRequest: (hook: (request: SentRequest) => Promise<void>) => hooks.push(hook) };
}

/** Paying subscriptions made at Stripe alone: customer, subscription, invoice, payment intent, charge events for each. */
async function createPaidSubscriptions(stripe: Stripe, count: number): Promise<string[]> {
  const price = (await stripe.prices.list({ lookup_keys: ['recur_monthly'] })).data[0]!;
  const ids: string[] = [];
  for (let index = 0; index < count; index += 1) {
    const customer = await stripe.customers.create({ email: `payer${index}@example.nl`, payment_method: 'pm_card_visa', invoice_settings: { default_payment_method: 'pm_card_visa' } });
    ids.push((await stripe.subscriptions.create({ customer: customer.id, items: [{ price: price.id }] })).id);
  }
  return ids;
}

const inbox = async (recur: RunningRecur) =>
  (await recur.t.ctx.db.query<{ provider_event_id: string; type: string; status: string; last_error: string | null }>('SELECT provider_event_id, type, status, last_error FROM webhook_inbox ORDER BY id')).rows;

const SUBSCRIPTION_TYPES = /^customer\.subscription\./;

describe.each(testDatabaseKinds)('reconciliation that costs its list pages on %s', (kind) => {
  let recur: RunningRecur | null = null;
  afterEach(async () => {
    await recur?.close();
    recur = null;
  });

  it('a first run stores the events about what it recorded as done, leaves the rest to the worker, and recur then equals a recur that missed nothing', async () => {
    const app = await startMissingEverything(kind);
    recur = app.recur;
    const [first, second, third] = await createPaidSubscriptions(app.recur.kit.stripe, 3);
    // Made while the run reads, after the events it recovers were listed and before its subscription
    // pass; and one after the subscription pass: newer than the run's read of that subscription.
    app.beforeNextRequest(async () => {
      app.beforeNextRequest(async (request) => {
        if (request.path !== '/v1/subscriptions') throw new Error(`expected the subscription pass next, not ${request.path}`);
        await app.recur.kit.stripe.subscriptions.update(second!, { cancel_at_period_end: true });
      });
    });
    const run = await reconcileProvider(app.recur.t.ctx, { provider: 'stripe', trigger: 'schedule', onProgress: (progress) => {
      if (progress.phase === 'subscriptions' && progress.done) app.beforeNextRequest(() => app.recur.kit.stripe.subscriptions.update(third!, { metadata: { note: 'changed after the run read it' } }).then(() => undefined));
    } });
    expect(run.status).toBe('succeeded');
    expect(run.counts.missing_locally).toBe(3);

    const rows = await inbox(app.recur);
    // The subscription events of each (created, then updated when its first invoice was paid), all
    // older than the run's read of it: the run recorded that read, so they are stored as done, with why.
    const settled = rows.filter((row) => SUBSCRIPTION_TYPES.test(row.type) && row.status === 'ignored');
    expect(settled.map((row) => row.type).sort()).toEqual([...Array(3).fill('customer.subscription.created'), ...Array(3).fill('customer.subscription.updated')]);
    for (const row of settled) expect(row.last_error).toMatch(new RegExp(`^ignored: reconciliation run ${run.id} recorded subscription sub_\\w+ from a read made after this event$`));
    // The two updates made while the run read are the worker's: an event made during the run may be newer than the run's read.
    expect(rows.filter((row) => SUBSCRIPTION_TYPES.test(row.type) && row.status === 'received').map((row) => row.type)).toEqual(['customer.subscription.updated', 'customer.subscription.updated']);
    // Payments are not the subscription pass's: every invoice, charge and payment intent event recur uses is left to the worker.
    const paymentEvents = rows.filter((row) => /^(invoice|charge|payment_intent)\./.test(row.type) && stripeEventHandlers.has(row.type));
    expect(paymentEvents.filter((row) => /^(invoice\.paid|charge\.succeeded|payment_intent\.succeeded)$/.test(row.type))).toHaveLength(9);
    expect(new Set(paymentEvents.map((row) => row.status))).toEqual(new Set(['received']));
    // Types recur has no use for: ignored, with the worker's own words.
    for (const row of rows.filter((entry) => ['customer.created', 'invoice.created', 'payment_intent.created'].includes(entry.type))) {
      expect([row.status, row.last_error]).toEqual(['ignored', `ignored: recur does not use ${row.type}`]);
    }
    // Every stored event has its report item, and the run's counts say the same.
    expect(run.counts.event_recovered).toBe(rows.length);

    await app.recur.kit.stripe.webhookEndpoints.update(app.recur.endpointId, { disabled: false });
    await app.recur.startWorker();
    await waitUntilSettled(app.recur);
    const after = (await stripeState(app.recur.t.ctx.db)) as { subscriptions: { provider_subscription_id: string; cancel_at_period_end: boolean }[]; payments: unknown[] };
    expect(after.payments).toHaveLength(3);
    expect(after.subscriptions.find((row) => row.provider_subscription_id === second)!.cancel_at_period_end).toBe(true);
    expect(after.subscriptions.map((row) => row.provider_subscription_id).sort()).toEqual([first, second, third].sort());
    expect(after).toEqual(await referenceState(kind, app.recur));
  }, 120_000);

  it('a run without drift sends only list pages: subscriptions (customers expanded) and events, never a customers list', async () => {
    const app = await startMissingEverything(kind);
    recur = app.recur;
    await createPaidSubscriptions(app.recur.kit.stripe, 3);
    await reconcileProvider(app.recur.t.ctx, { provider: 'stripe', trigger: 'cli' });
    app.requests.length = 0;

    const run = await reconcileProvider(app.recur.t.ctx, { provider: 'stripe', trigger: 'cli' });
    expect(run.counts).toEqual({});
    expect(app.requests.map((request) => `${request.method} ${request.path}`)).toEqual(['GET /v1/events', 'GET /v1/subscriptions', 'GET /v1/events']);
    expect(run.requests).toBe(3);
  }, 120_000);

  it('finds e-mail drift from the customer expanded in the subscription page and sets recur’s e-mail back at Stripe', async () => {
    const app = await startMissingEverything(kind);
    recur = app.recur;
    const [subscriptionId] = await createPaidSubscriptions(app.recur.kit.stripe, 2);
    await reconcileProvider(app.recur.t.ctx, { provider: 'stripe', trigger: 'cli' });
    const stripeCustomer = (await app.recur.kit.stripe.subscriptions.retrieve(subscriptionId!)).customer as string;
    await app.recur.kit.stripe.customers.update(stripeCustomer, { email: 'someone.else@example.org' });
    app.requests.length = 0;

    const run = await reconcileProvider(app.recur.t.ctx, { provider: 'stripe', trigger: 'cli' });
    expect(run.counts).toMatchObject({ email_mismatch: 1 });
    const customer = await app.recur.kit.stripe.customers.retrieve(stripeCustomer);
    expect(customer.deleted ? null : customer.email).toBe('payer0@example.nl');
    expect(app.requests.filter((request) => request.path.startsWith('/v1/customers')).map((request) => `${request.method} ${request.path}`)).toEqual([`POST /v1/customers/${stripeCustomer}`]);
    // The run's own repair made an event; the run read it too, so the next run has nothing to do.
    expect((await reconcileProvider(app.recur.t.ctx, { provider: 'stripe', trigger: 'cli' })).counts).toEqual({});
  }, 120_000);

  it('does not read the last second again: after a burst of events in one second the next run reads one page and still finds what came after', async () => {
    const app = await startMissingEverything(kind);
    recur = app.recur;
    // The sandbox clock stands still: 130 customers, 130 events in one second.
    await Promise.all(Array.from({ length: 130 }, (_, index) => app.recur.kit.stripe.customers.create({ email: `burst${index}@example.nl` })));
    await reconcileProvider(app.recur.t.ctx, { provider: 'stripe', trigger: 'cli' });
    app.requests.length = 0;

    const quiet = await reconcileProvider(app.recur.t.ctx, { provider: 'stripe', trigger: 'cli' });
    expect(quiet.counts).toEqual({});
    const eventReads = app.requests.filter((request) => request.path === '/v1/events');
    expect(eventReads.map((request) => request.query.get('starting_after'))).toEqual([null, null]);

    const late = await app.recur.kit.stripe.customers.create({ email: 'late@example.nl' });
    const next = await reconcileProvider(app.recur.t.ctx, { provider: 'stripe', trigger: 'cli' });
    expect(next.counts).toEqual({ event_recovered: 1 });
    const rows = await inbox(app.recur);
    expect(rows.filter((row) => row.type === 'customer.created')).toHaveLength(131);
    expect(rows.at(-1)).toMatchObject({ type: 'customer.created', status: 'ignored' });
    expect(late.id).toMatch(/^cus_/);
  }, 120_000);

  it('a page of events and its report items are stored together: a run that fails half-way leaves no event without its item, and the next run stores the rest', async () => {
    const app = await startMissingEverything(kind);
    recur = app.recur;
    await Promise.all(Array.from({ length: 130 }, (_, index) => app.recur.kit.stripe.customers.create({ email: `page${index}@example.nl` })));
    let failing = true;
    const failOlderPages = async (request: SentRequest) => {
      app.beforeNextRequest(failOlderPages);
      if (failing && request.path === '/v1/events' && request.query.get('starting_after')) throw new Error('connection reset');
    };
    app.beforeNextRequest(failOlderPages);
    await expect(reconcileProvider(app.recur.t.ctx, { provider: 'stripe', trigger: 'cli' })).rejects.toMatchObject({ code: 'provider_failure' });
    const counts = async () =>
      (
        await app.recur.t.ctx.db.query<{ events: number; items: number; cursors: number }>(
          "SELECT (SELECT count(*)::int FROM webhook_inbox) AS events, (SELECT count(*)::int FROM reconciliation_items WHERE kind = 'event_recovered') AS items, (SELECT count(*)::int FROM provider_event_cursors) AS cursors",
        )
      ).rows[0]!;
    expect(await counts()).toEqual({ events: 100, items: 100, cursors: 0 });

    failing = false;
    const next = await reconcileProvider(app.recur.t.ctx, { provider: 'stripe', trigger: 'cli' });
    expect(next.status).toBe('succeeded');
    const all = (await app.recur.kit.stripe.events.list({ limit: 100 }).autoPagingToArray({ limit: 1000 })).length;
    expect(await counts()).toEqual({ events: all, items: all, cursors: 1 });
  }, 120_000);
});
