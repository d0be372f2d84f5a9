import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { recordOutgoingEvent } from '../../src/db/repositories/outgoing-event-repository.ts';
import { buildJobCatalogue } from '../../src/jobs/job-catalogue.ts';
import { DELETE_OLD_WEBHOOK_DELIVERIES, deleteOldWebhookDeliveries } from '../../src/jobs/delete-old-webhook-deliveries.ts';
import { nextDecisionNumber } from '../../src/outgoing-events/number-decisions.ts';
import { insertEventCustomer, recordEvent, runDeliveryJob, testOutgoingWebhooks } from '../support/outgoing-webhooks.ts';
import { startShopReceiver } from '../support/shop-receiver.ts';
import { startTestApp, type TestApp } from '../support/test-app.ts';
import { testDatabaseKinds } from '../support/test-database.ts';

const DAY = 24 * 60 * 60 * 1000;

describe.each(testDatabaseKinds)('deleting old webhook deliveries and events (%s)', (kind) => {
  let t: TestApp;
  let customer: string;
  const receivers: Awaited<ReturnType<typeof startShopReceiver>>[] = [];

  beforeAll(async () => {
    t = await startTestApp(kind, { outgoingWebhooks: testOutgoingWebhooks(), settings: { WEBHOOK_DELIVERY_RETENTION_DAYS: 30 } });
    customer = await insertEventCustomer(t, 'shop-retention');
  });
  afterEach(async () => {
    await t.ctx.db.query('DELETE FROM webhook_endpoints');
  });
  afterAll(async () => {
    await Promise.all(receivers.map((receiver) => receiver.close()));
    await t.close();
  });

  const request = (method: 'POST' | 'GET' | 'PATCH', url: string, payload?: object) =>
    t.app.inject({ method, url, headers: { authorization: t.auth }, ...(payload ? { payload } : {}) });
  const receiver = async () => {
    const started = await startShopReceiver();
    receivers.push(started);
    return started;
  };
  // The job as the engine runs it, taken from the catalogue (so it is scheduled at all).
  const runRetentionJob = async () => {
    const job = buildJobCatalogue(t.ctx).find((definition) => definition.name === DELETE_OLD_WEBHOOK_DELIVERIES);
    expect(job?.cron).toMatch(/^\d+ \d+ \* \* \*$/);
    await job!.handle({}, { jobId: 'test', attempt: 1 });
  };
  const deliveries = async (endpointId: string) =>
    ((await request('GET', `/v1/webhook-endpoints/${endpointId}/deliveries`)).json().data as { id: string; event_id: string; status: string }[]).map(({ event_id, status }) => ({ event_id, status }));
  const eventsLeft = async (ids: string[]) => (await t.ctx.db.query<{ id: string }>('SELECT id FROM outgoing_events WHERE id = ANY($1::text[]) ORDER BY created_at', [ids])).rows.map((row) => row.id);
  const attemptsOf = async (endpointId: string) =>
    (await t.ctx.db.query<{ n: number }>('SELECT count(*)::int AS n FROM webhook_delivery_attempts a JOIN webhook_deliveries d ON d.id = a.delivery_id WHERE d.endpoint_id = $1', [endpointId])).rows[0]!.n;

  it('deletes deliveries finished longer ago than the retention, with their attempts and their events; keeps pending ones, their events, and events not fanned out', async () => {
    const shop = await receiver();
    const down = await receiver();
    down.setMode('fail');
    const live = (await request('POST', '/v1/webhook-endpoints', { url: shop.url, event_types: ['*'] })).json().id as string;
    const paused = (await request('POST', '/v1/webhook-endpoints', { url: down.url, event_types: ['*'] })).json().id as string;

    // Day 0: e1 reaches the live endpoint; the other one fails and is then disabled, so its delivery stays pending.
    t.clock.advance(1000);
    const e1 = await recordEvent(t, customer, 'customer.updated', { n: 1 });
    await runDeliveryJob(t);
    expect((await request('PATCH', `/v1/webhook-endpoints/${paused}`, { enabled: false })).statusCode).toBe(200);
    t.clock.advance(1000);
    const e2 = await recordEvent(t, customer, 'customer.updated', { n: 2 });
    await runDeliveryJob(t);
    // Day 29: e3.
    t.clock.advance(29 * DAY);
    const e3 = await recordEvent(t, customer, 'customer.updated', { n: 3 });
    await runDeliveryJob(t);
    expect(await deliveries(live)).toEqual([
      { event_id: e3.id, status: 'succeeded' },
      { event_id: e2.id, status: 'succeeded' },
      { event_id: e1.id, status: 'succeeded' },
    ]);
    expect(await deliveries(paused)).toEqual([{ event_id: e1.id, status: 'pending' }]);
    expect(await attemptsOf(live)).toBe(3);

    // Day 31: the day-0 deliveries to the live endpoint are past 30 days; the pending one is not touched.
    t.clock.advance(2 * DAY);
    await runRetentionJob();
    expect(await deliveries(live)).toEqual([{ event_id: e3.id, status: 'succeeded' }]);
    expect(await attemptsOf(live)).toBe(1);
    expect(await deliveries(paused)).toEqual([{ event_id: e1.id, status: 'pending' }]);
    expect(await attemptsOf(paused)).toBe(1);
    expect(await eventsLeft([e1.id, e2.id, e3.id])).toEqual([e1.id, e3.id]);
    // A replay reaches back only as far as events are kept: e1 and e3, not e2.
    const replay = await request('POST', `/v1/webhook-endpoints/${live}/replay`, { since: '2026-01-01T00:00:00Z' });
    expect(replay.json()).toEqual({ queued: 2 });
    await runDeliveryJob(t);

    // e4 is recorded and not yet fanned out (no delivery run) when the next clean-up finds it old.
    const e4 = await recordEvent(t, customer, 'customer.updated', { n: 4 });
    t.clock.advance(31 * DAY);
    await runRetentionJob();
    expect(await deliveries(live)).toEqual([]);
    expect(await deliveries(paused)).toEqual([{ event_id: e1.id, status: 'pending' }]);
    expect(await eventsLeft([e1.id, e2.id, e3.id, e4.id])).toEqual([e1.id, e4.id]);
  });

  it('works through a backlog larger than one batch, and the numbers of repeated decisions go on after their old events are gone', async () => {
    const other = await insertEventCustomer(t, 'shop-retention-batches');
    const key = 'subscription.cancel_scheduled:sub_retention:';
    const recordNumbered = async () => {
      const now = t.ctx.clock.now();
      return t.ctx.db.transaction(async (tx) => {
        const number = await nextDecisionNumber(tx, { customerId: other, type: 'subscription.cancel_scheduled', keyPrefix: key });
        const recorded = await recordOutgoingEvent(tx, { type: 'subscription.cancel_scheduled', customerId: other, businessKey: `${key}${number}`, data: {}, occurredAt: now, now });
        return { number, recorded };
      });
    };
    t.clock.advance(1000);
    const old = [await recordNumbered(), await recordNumbered(), await recordNumbered()];
    t.clock.advance(20 * DAY);
    const kept = await recordNumbered();
    await runDeliveryJob(t);
    expect([...old, kept].map((decision) => decision.number)).toEqual([1, 2, 3, 4]);

    t.clock.advance(15 * DAY);
    // Batches of 2: the three old events (and what the test before left) take more than one.
    expect((await deleteOldWebhookDeliveries(t.ctx, { batchSize: 2 })).events).toBeGreaterThanOrEqual(3);
    const ids = [...old, kept].map((decision) => decision.recorded!.id);
    expect(await eventsLeft(ids)).toEqual([kept.recorded!.id]);
    // One left of four: a count would give 2 again and lose the next decision to the key still held by the 4th.
    const next = await recordNumbered();
    expect(next.number).toBe(5);
    expect(next.recorded).not.toBeNull();
  });
});
