import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/shared/clock.ts';
import { insertEventCustomer, recordEvent, runDeliveryJob, testOutgoingWebhooks } from '../support/outgoing-webhooks.ts';
import { poll } from '../support/poll.ts';
import { startShopReceiver } from '../support/shop-receiver.ts';
import { startTestApp, type TestApp } from '../support/test-app.ts';
import { testDatabaseKinds } from '../support/test-database.ts';

describe.each(testDatabaseKinds)('one endpoint at a time, endpoints side by side (%s)', (kind) => {
  let t: TestApp;
  let slow: Awaited<ReturnType<typeof startShopReceiver>>;
  let fast: Awaited<ReturnType<typeof startShopReceiver>>;
  // The leases' clock: real time in recur, moved by hand here.
  const realTime = new ManualClock(new Date());

  beforeAll(async () => {
    // Long enough that the fast endpoint's lane finishes while the slow one's first request still waits.
    t = await startTestApp(kind, { outgoingWebhooks: testOutgoingWebhooks({ timeoutMs: 20_000, realClock: realTime }) });
    slow = await startShopReceiver();
    fast = await startShopReceiver();
  });
  afterAll(async () => {
    await slow.close();
    await fast.close();
    await t.close();
  });

  it('a receiver that does not answer holds up neither the other endpoint nor more than one of its own requests', async () => {
    slow.setMode('hang');
    const post = (url: string) => t.app.inject({ method: 'POST', url: '/v1/webhook-endpoints', headers: { authorization: t.auth }, payload: { url, event_types: ['*'] } });
    await post(slow.url);
    await post(fast.url);
    const customer = await insertEventCustomer(t, 'shop-eva');
    t.clock.advance(1000);
    for (let n = 0; n < 5; n++) await recordEvent(t, customer, 'customer.updated', { id: customer, n });

    const pass = runDeliveryJob(t);
    await poll('the fast endpoint has all five', async () => (fast.accepted().length === 5 ? true : null), 15_000);
    // The slow endpoint's first request is still open, and no second was sent beside it.
    expect(slow.requests).toHaveLength(1);
    expect(slow.requests[0]!.answered).toBe('hung');
    await slow.close();
    await pass;
  });

  it('a delivery left in flight by a stopped worker holds its endpoint until the lease lapses, then is delivered', async () => {
    await t.ctx.db.query('DELETE FROM webhook_endpoints');
    const receiver = await startShopReceiver();
    try {
      const created = await t.app.inject({ method: 'POST', url: '/v1/webhook-endpoints', headers: { authorization: t.auth }, payload: { url: receiver.url, event_types: ['payment.succeeded'] } });
      const customer = await insertEventCustomer(t, 'shop-ilse');
      t.clock.advance(1000);
      const first = await recordEvent(t, customer, 'payment.succeeded', { id: 'pay-i1' });
      const second = await recordEvent(t, customer, 'payment.succeeded', { id: 'pay-i2' });
      // Both tried once and failed; then a worker claimed the first again and stopped.
      receiver.setMode('fail');
      await runDeliveryJob(t);
      expect(receiver.requests).toHaveLength(2);
      receiver.setMode('ok');
      const leaseEnds = new Date(realTime.now().getTime() + 10 * 60_000);
      await t.ctx.db.query("UPDATE webhook_deliveries SET status = 'delivering', lease_token = gen_random_uuid(), lease_expires_at = $2 WHERE event_id = $1", [first.id, leaseEnds]);

      // The second is due, but its endpoint has a request in flight until the lease lapses, in real
      // time: recur's clock moved a day (the sandbox's, say) does not end it.
      t.clock.advance(24 * 60 * 60_000);
      realTime.advance(5 * 60_000);
      await runDeliveryJob(t);
      expect(receiver.requests).toHaveLength(2);

      realTime.advance(6 * 60_000);
      await runDeliveryJob(t);
      expect(receiver.accepted().map((request) => request.headers['webhook-id']).sort()).toEqual([first.id, second.id].sort());
      const log = (await t.app.inject({ method: 'GET', url: `/v1/webhook-endpoints/${created.json().id}/deliveries`, headers: { authorization: t.auth } })).json();
      expect(log.data.find((delivery: { event_id: string }) => delivery.event_id === first.id)).toMatchObject({ status: 'succeeded', attempts: 2, attempt_log: [{ status_code: 500 }, { status_code: 204 }] });
    } finally {
      await receiver.close();
    }
  });
});
