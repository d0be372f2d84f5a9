import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startWebhookDeliveryWorker, type WebhookDeliveryWorker } from '../../src/runtime/start-webhook-delivery-worker.ts';
import { createLogger } from '../../src/shared/logger.ts';
import { webhookWorkerContext } from '../../src/jobs/deliver-webhooks.ts';
import { insertEventCustomer, recordEvent, testOutgoingWebhooks } from '../support/outgoing-webhooks.ts';
import { startShopReceiver } from '../support/shop-receiver.ts';
import { startTestApp, type TestApp } from '../support/test-app.ts';
import { testDatabaseKinds } from '../support/test-database.ts';

// As in `recur start`: the process's delivery worker, woken by the API's writes, not by the schedule.
describe.each(testDatabaseKinds)('the delivery worker wakes after writes through the API (%s)', (kind) => {
  let t: TestApp;
  let worker: WebhookDeliveryWorker;
  let receiver: Awaited<ReturnType<typeof startShopReceiver>>;

  beforeAll(async () => {
    const hooks = testOutgoingWebhooks();
    t = await startTestApp(kind, { outgoingWebhooks: hooks });
    worker = startWebhookDeliveryWorker(webhookWorkerContext(t.ctx)!, createLogger('silent'));
    hooks.wake = () => worker.wake();
    receiver = await startShopReceiver();
  });
  afterAll(async () => {
    await worker.stop();
    await receiver.close();
    await t.close();
  });

  it('delivers an event recorded by a change through /v1 without a run of the job', async () => {
    const created = await t.app.inject({ method: 'POST', url: '/v1/webhook-endpoints', headers: { authorization: t.auth }, payload: { url: receiver.url, event_types: ['customer.updated'] } });
    expect(created.statusCode).toBe(201);
    await worker.idle();
    const customer = await insertEventCustomer(t, 'shop-fenna');
    t.clock.advance(1000);
    const event = await recordEvent(t, customer, 'customer.updated', { id: customer });
    expect(receiver.requests).toHaveLength(0);

    // Any successful write through /v1 wakes the worker (here one that records nothing itself).
    const write = await t.app.inject({ method: 'POST', url: '/v1/customers', headers: { authorization: t.auth }, payload: { external_id: 'shop-gijs', email: 'gijs@example.nl' } });
    expect(write.statusCode).toBe(201);
    await new Promise((resolve) => setImmediate(resolve));
    await worker.idle();
    expect(receiver.accepted().map((request) => request.headers['webhook-id'])).toContain(event.id);
  });
});
