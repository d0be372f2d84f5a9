import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { upsertPayment } from '../../src/db/repositories/payment-repository.ts';
import { insertNotice } from '../../src/db/repositories/notification-outbox-repository.ts';
import { finishReconciliationRun, insertReconciliationItems, startReconciliationRun } from '../../src/db/repositories/reconciliation-run-repository.ts';
import { fanOutOutgoingEvents, insertDeliveryAttempt } from '../../src/db/repositories/webhook-delivery-repository.ts';
import { insertInboxEvent } from '../../src/db/repositories/webhook-inbox-repository.ts';
import { recordEvent, testOutgoingWebhooks } from '../support/outgoing-webhooks.ts';
import { pageThrough } from '../support/page-through.ts';
import { seedCustomer, seedSubscription } from '../support/seed.ts';
import { startTestApp, type TestApp } from '../support/test-app.ts';
import { testDatabaseKinds } from '../support/test-database.ts';

const SECOND = 1000;
/** Bounded collections that come whole (ADR 0031): the same answer, no paging parameters. */
const WHOLE_COLLECTIONS = ['/v1/plans', '/v1/customers/{id}/prepaid-periods'];

/**
 * Every list route under /v1 pages the one way (docs/adr/0031): newest first, `limit`,
 * `starting_after` = the previous page's `next_cursor`, `created[gte]` / `created[lte]`. The
 * shared rules are checked once, on subscriptions; then each route is read through more than one
 * page, which would repeat, skip or stop early if its own ordering or cursor were wrong.
 */
describe.each(testDatabaseKinds)('list routes on %s', (kind) => {
  let t: TestApp;
  const made: Record<string, (string | number)[]> = { subscriptions: [], payments: [], notices: [], inbox: [], runs: [], items: [], keys: [], endpoints: [], deliveries: [] };
  const subscriptionTimes: string[] = [];
  let runWithItems = '';
  let endpointWithDeliveries = '';

  const get = (url: string) => t.app.inject({ method: 'GET', url, headers: { authorization: t.auth } });
  const tick = () => t.clock.advance(SECOND);

  beforeAll(async () => {
    t = await startTestApp(kind, { outgoingWebhooks: testOutgoingWebhooks() });
    const anna = await seedCustomer(t, 'anna');
    const bram = await seedCustomer(t, 'bram');
    for (let i = 0; i < 5; i++) {
      subscriptionTimes.push(t.clock.now().toISOString());
      made.subscriptions!.push(await seedSubscription(t, anna));
      tick();
    }
    await seedSubscription(t, bram);
    for (let i = 0; i < 5; i++) {
      const now = t.clock.now();
      const state = { customerId: anna, subscriptionId: made.subscriptions![0] as string, provider: 'stripe' as const, providerPaymentId: `pi_list_${i}`, kind: 'subscription' as const, amountMinor: 2999, currency: 'EUR', amountRefundedMinor: 0, status: 'succeeded' as const, methodSummary: null, invoiceAt: now, providerUpdatedAt: now };
      const outcome = await upsertPayment(t.ctx.db, state, now);
      if (outcome.outcome === 'unchanged') throw new Error('payment not recorded');
      made.payments!.push(outcome.payment.id);
      tick();
    }
    for (let i = 0; i < 5; i++) {
      const now = t.clock.now();
      await insertNotice(t.ctx.db, { businessKey: `list-test:${i}`, customerId: anna, subscriptionId: null, channel: 'email', template: 'trial-reminder', recipient: 'anna@example.nl', locale: 'nl', payload: {}, dueAt: now, now });
      tick();
    }
    made.notices = ((await t.ctx.db.query<{ id: string }>('SELECT id FROM notification_outbox ORDER BY created_at, id')).rows).map((row) => row.id);
    for (let i = 0; i < 5; i++) {
      await insertInboxEvent(t.ctx.db, { provider: 'stripe', providerEventId: `evt_list_${i}`, type: 'invoice.paid', payload: {}, providerCreatedAt: null }, t.clock.now());
      tick();
    }
    made.inbox = ((await t.ctx.db.query<{ id: string }>('SELECT id FROM webhook_inbox ORDER BY id')).rows).map((row) => Number(row.id));
    for (let i = 0; i < 3; i++) {
      const run = (await startReconciliationRun(t.ctx.db, { provider: 'stripe', trigger: 'cli', now: t.clock.now(), abandonAfterMs: 3_600_000 }))!;
      await finishReconciliationRun(t.ctx.db, run.id, { status: 'succeeded', counts: {}, requests: 1, error: null, now: t.clock.now() });
      made.runs!.push(run.id);
      runWithItems = run.id;
      tick();
    }
    const items = Array.from({ length: 5 }, (_, i) => ({ kind: 'stale_status' as const, providerObjectId: `sub_item_${i}`, recurId: null, found: {}, action: 'repaired' }));
    await insertReconciliationItems(t.ctx.db, runWithItems, items, t.clock.now());
    made.items = ((await t.ctx.db.query<{ id: string }>('SELECT id FROM reconciliation_items ORDER BY id')).rows).map((row) => Number(row.id));
    made.keys = ((await t.ctx.db.query<{ id: string }>('SELECT id FROM api_keys')).rows).map((row) => row.id);
    for (let i = 0; i < 4; i++) {
      tick();
      const created = await t.app.inject({ method: 'POST', url: '/v1/api-keys', headers: { authorization: t.auth }, payload: { name: `key ${i}` } });
      made.keys!.push(created.json().id as string);
    }
    for (let i = 0; i < 4; i++) {
      tick();
      const created = await t.app.inject({ method: 'POST', url: '/v1/webhook-endpoints', headers: { authorization: t.auth }, payload: { url: `https://203.0.113.${i + 1}/hooks`, event_types: ['*'] } });
      made.endpoints!.push(created.json().id as string);
    }
    endpointWithDeliveries = made.endpoints![1] as string;
    // Every endpoint takes every event, so each has its own deliveries, one per event and second.
    for (let i = 0; i < 5; i++) {
      tick();
      await recordEvent(t, anna, 'payment.succeeded', { id: `pay_list_${i}` });
      await fanOutOutgoingEvents(t.ctx.db, { now: t.clock.now(), giveUpAt: t.clock.now(), limit: 10 });
    }
    made.deliveries = ((await t.ctx.db.query<{ id: string }>('SELECT id FROM webhook_deliveries WHERE endpoint_id = $1 ORDER BY created_at, id', [endpointWithDeliveries])).rows).map((row) => row.id);
  });
  afterAll(() => t.close());

  describe('the shared paging, on /v1/subscriptions', () => {
    it('reads newest first, limit items a page, next_cursor the last id while more follow', async () => {
      const { ids, pages } = await pageThrough(get, '/v1/subscriptions?customer=anna', 2);
      expect(pages).toBe(3);
      expect(ids).toEqual([...made.subscriptions!].reverse());
    });

    it('answers 20 a page by default and says where the last page ends', async () => {
      const page = (await get('/v1/subscriptions')).json();
      expect(page).toMatchObject({ has_more: false, next_cursor: null });
      expect(page.data).toHaveLength(6);
    });

    it('keeps to the creation window of created[gte] and created[lte], both inclusive', async () => {
      const response = await get(`/v1/subscriptions?created[gte]=${subscriptionTimes[1]}&created[lte]=${subscriptionTimes[3]}`);
      expect(response.statusCode).toBe(200);
      expect(response.json().data.map((item: { id: string }) => item.id)).toEqual([made.subscriptions![3], made.subscriptions![2], made.subscriptions![1]]);
    });

    it('pages inside a creation window and a filter together', async () => {
      const { ids } = await pageThrough(get, `/v1/subscriptions?customer=anna&created[gte]=${subscriptionTimes[1]}`, 3);
      expect(ids).toEqual([...made.subscriptions!.slice(1)].reverse());
    });

    it.each([
      ['limit=0', 'limit'],
      ['limit=101', 'limit'],
      ['limit=ten', 'limit'],
      ['starting_after=00000000-0000-4000-8000-000000000000', 'starting_after: no subscription'],
      ['starting_after=sub_123', 'starting_after'],
      ['created[gte]=yesterday', 'created[gte]'],
      ['page=2', 'page'],
    ])('refuses ?%s with 400 naming it', async (query, named) => {
      const response = await get(`/v1/subscriptions?${query}`);
      expect(response.statusCode).toBe(400);
      expect(response.json().error.code).toBe('validation_failed');
      expect(JSON.stringify(response.json().error)).toContain(named);
    });

    it('needs an API key', async () => {
      expect((await t.app.inject({ method: 'GET', url: '/v1/payments' })).statusCode).toBe(401);
    });
  });

  describe('every list route pages through more than one page', () => {
    const routes: [name: string, path: () => string, key: string][] = [
      ['subscriptions', () => '/v1/subscriptions?customer=anna', 'subscriptions'],
      ['payments', () => '/v1/payments?customer=anna&status=succeeded', 'payments'],
      ['notifications', () => '/v1/notifications?customer=anna', 'notices'],
      ['webhook events', () => '/v1/webhook-events?provider=stripe', 'inbox'],
      ['reconciliation runs', () => '/v1/reconciliation/runs?provider=stripe&status=succeeded', 'runs'],
      ["a run's items", () => `/v1/reconciliation/runs/${runWithItems}/items?kind=stale_status`, 'items'],
      ['api keys', () => '/v1/api-keys?status=active', 'keys'],
      ['webhook endpoints', () => '/v1/webhook-endpoints', 'endpoints'],
      ["an endpoint's deliveries", () => `/v1/webhook-endpoints/${endpointWithDeliveries}/deliveries`, 'deliveries'],
    ];
    it.each(routes)('%s', async (_name, path, key) => {
      const { ids, pages } = await pageThrough(get, path(), 2);
      expect(pages).toBeGreaterThan(1);
      expect(ids).toEqual([...made[key]!].reverse());
    });
  });

  it("keeps each delivery's attempts inside its item, on whichever page it is read", async () => {
    const oldest = made.deliveries![0] as string;
    await insertDeliveryAttempt(t.ctx.db, oldest, { statusCode: 500, latencyMs: 12, responseExcerpt: 'try later', error: null, at: t.clock.now() });
    const last = (await get(`/v1/webhook-endpoints/${endpointWithDeliveries}/deliveries?limit=2&starting_after=${made.deliveries![2]}`)).json();
    expect(last).toMatchObject({ has_more: false, next_cursor: null });
    expect(last.data.map((item: { id: string }) => item.id)).toEqual([made.deliveries![1], oldest]);
    expect(last.data[1].attempt_log).toEqual([{ status_code: 500, latency_ms: 12, response_excerpt: 'try later', error: null, attempted_at: t.clock.now().toISOString() }]);
    expect(last.data[0].attempt_log).toEqual([]);
  });

  it("answers 404 for a run's items when there is no such run, for payments of an unknown customer and for an unknown endpoint's deliveries", async () => {
    expect((await get('/v1/reconciliation/runs/00000000-0000-4000-8000-000000000000/items')).statusCode).toBe(404);
    expect((await get('/v1/payments?customer=nobody')).statusCode).toBe(404);
    expect((await get('/v1/webhook-endpoints/00000000-0000-4000-8000-000000000000/deliveries')).statusCode).toBe(404);
  });

  it('documents every list in the OpenAPI document the one way: the answer, the paging parameters with examples', async () => {
    type Operation = { parameters?: { name: string; in: string; schema: { example?: unknown } }[]; responses: Record<string, { content?: Record<string, { schema: { properties?: Record<string, unknown> } }> }> };
    const doc = (await t.app.inject({ method: 'GET', url: '/openapi.json' })).json() as { paths: Record<string, Record<string, Operation>> };
    const lists = Object.entries(doc.paths)
      .filter(([path, methods]) => path.startsWith('/v1/') && methods['get'])
      .map(([path, methods]) => ({ path, operation: methods['get']!, answer: methods['get']!.responses['200']?.content?.['application/json']?.schema.properties ?? {} }))
      .filter(({ answer }) => 'data' in answer);
    expect(lists.length).toBeGreaterThanOrEqual(9);
    const problems: string[] = [];
    for (const { path, operation, answer } of lists) {
      for (const field of ['data', 'has_more', 'next_cursor']) if (!(field in answer)) problems.push(`${path}: answers no ${field}`);
      if (WHOLE_COLLECTIONS.includes(path)) continue;
      const query = new Map((operation.parameters ?? []).filter((parameter) => parameter.in === 'query').map((parameter) => [parameter.name, parameter]));
      for (const name of ['limit', 'starting_after', 'created[gte]', 'created[lte]']) if (!query.has(name)) problems.push(`${path}: no ${name}`);
      for (const name of ['limit', 'created[gte]', 'created[lte]']) if (query.get(name)?.schema.example === undefined) problems.push(`${path}: ${name} without an example`);
    }
    expect(problems).toEqual([]);
  });

  it('gives the whole collections (plans, prepaid periods) the same answer, on one page', async () => {
    expect((await get('/v1/plans')).json()).toMatchObject({ has_more: false, next_cursor: null });
    expect((await get('/v1/customers/anna/prepaid-periods')).json()).toMatchObject({ data: [], has_more: false, next_cursor: null, paid_until: null });
  });
});
