import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { insertEventCustomer, recordEvent, runDeliveryJob, testOutgoingWebhooks } from '../support/outgoing-webhooks.ts';
import { startShopReceiver } from '../support/shop-receiver.ts';
import { startTestApp, type TestApp } from '../support/test-app.ts';
import { testDatabaseKinds } from '../support/test-database.ts';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

describe.each(testDatabaseKinds)('retries, give-up and disabling (%s)', (kind) => {
  let t: TestApp;
  let receiver: Awaited<ReturnType<typeof startShopReceiver>>;
  let customer: string;

  beforeAll(async () => {
    t = await startTestApp(kind, { outgoingWebhooks: testOutgoingWebhooks({ timeoutMs: 300 }), settings: { ADMIN_EMAILS: ['ops@shop.example'], WEBHOOK_DISABLE_AFTER_FAILED_DAYS: 3 } });
    customer = await insertEventCustomer(t, 'shop-bram');
  });
  afterAll(() => t.close());
  afterEach(async () => {
    await receiver?.close();
  });

  const post = (url: string, payload: unknown) => t.app.inject({ method: 'POST', url, headers: { authorization: t.auth }, payload: payload as object });
  const get = (url: string) => t.app.inject({ method: 'GET', url, headers: { authorization: t.auth } });

  /** Moves the clock in steps, running the delivery job after each, as the minutely schedule would. */
  async function runFor(totalMs: number, stepMs: number): Promise<void> {
    for (let elapsed = 0; elapsed < totalMs; elapsed += stepMs) {
      t.clock.advance(stepMs);
      await runDeliveryJob(t);
    }
  }

  it('a receiver answering 500 and then not at all for an hour gets every event once it recovers, once per webhook-id, with the attempts in the log', async () => {
    receiver = await startShopReceiver();
    const { id } = (await post('/v1/webhook-endpoints', { url: receiver.url, event_types: ['*'] })).json();
    t.clock.advance(1000);
    const events = [
      await recordEvent(t, customer, 'subscription.created', { id: 'sub-b' }),
      await recordEvent(t, customer, 'payment.failed', { id: 'pay-b' }),
      await recordEvent(t, customer, 'entitlement.changed', { entitled: false }),
    ];
    receiver.setMode('fail');
    await runDeliveryJob(t);
    await runFor(30 * MINUTE, 5 * MINUTE);
    receiver.setMode('hang');
    await runFor(30 * MINUTE, 5 * MINUTE);
    expect(receiver.accepted()).toHaveLength(0);
    expect(receiver.requests.some((request) => request.answered === 500)).toBe(true);
    expect(receiver.requests.some((request) => request.answered === 'hung')).toBe(true);

    receiver.setMode('ok');
    // The longest wait after an hour of failures is about 64 minutes.
    await runFor(3 * HOUR, 10 * MINUTE);
    const accepted = receiver.accepted().map((request) => request.headers['webhook-id']);
    expect(accepted.sort()).toEqual(events.map((event) => event.id).sort());

    const log = (await get(`/v1/webhook-endpoints/${id}/deliveries`)).json();
    expect(log.data).toHaveLength(3);
    for (const delivery of log.data) {
      expect(delivery.status).toBe('succeeded');
      expect(delivery.attempts).toBeGreaterThan(2);
      expect(delivery.attempt_log).toHaveLength(delivery.attempts);
      expect(delivery.attempt_log.at(-1)).toMatchObject({ status_code: 204, error: null });
    }
    const attempts = log.data.flatMap((delivery: { attempt_log: { status_code: number | null; error: string | null; response_excerpt: string | null }[] }) => delivery.attempt_log);
    expect(attempts).toContainEqual(expect.objectContaining({ status_code: 500, error: 'HTTP 500', response_excerpt: 'receiver is down for maintenance' }));
    expect(attempts).toContainEqual(expect.objectContaining({ status_code: null, error: 'no answer within 300 ms' }));
    // The success ended the endpoint's run of failures.
    expect((await get(`/v1/webhook-endpoints/${id}`)).json()).toMatchObject({ enabled: true, consecutive_failures: 0, failing_since: null });
    await t.ctx.db.query('DELETE FROM webhook_endpoints');
  });

  it('a receiver never fixed: the delivery is failed after 3 days, the admins are alerted and the endpoint is disabled', async () => {
    receiver = await startShopReceiver();
    receiver.setMode('fail');
    const { id } = (await post('/v1/webhook-endpoints', { url: receiver.url, event_types: ['payment.failed'] })).json();
    t.clock.advance(1000);
    await recordEvent(t, customer, 'payment.failed', { id: 'pay-c' });
    await runDeliveryJob(t);
    await runFor(2 * 24 * HOUR, 2 * HOUR);
    let log = (await get(`/v1/webhook-endpoints/${id}/deliveries`)).json();
    expect(log.data[0]).toMatchObject({ status: 'pending', last_status_code: 500 });
    expect((await get(`/v1/webhook-endpoints/${id}`)).json()).toMatchObject({ enabled: true });

    await runFor(26 * HOUR, 2 * HOUR);
    log = (await get(`/v1/webhook-endpoints/${id}/deliveries`)).json();
    expect(log.data[0]).toMatchObject({ status: 'failed', next_attempt_at: null });
    const endpoint = (await get(`/v1/webhook-endpoints/${id}`)).json();
    expect(endpoint).toMatchObject({ enabled: false, disabled_reason: expect.stringMatching(/no successful delivery for 3 days/) });
    const alerts = await t.ctx.db.query<{ template: string; recipient: string; payload: Record<string, unknown> }>("SELECT template, recipient, payload FROM notification_outbox WHERE template = 'admin-alert-webhook-failed'");
    expect(alerts.rows).toEqual([{ template: 'admin-alert-webhook-failed', recipient: 'ops@shop.example', payload: expect.objectContaining({ endpoint_id: id, host: `127.0.0.1:${receiver.port}`, disabled: true, last_error: 'HTTP 500' }) }]);

    // Disabled: nothing more is sent, whatever is recorded.
    const sent = receiver.requests.length;
    await recordEvent(t, customer, 'payment.failed', { id: 'pay-d' });
    await runFor(2 * HOUR, HOUR);
    expect(receiver.requests).toHaveLength(sent);
  });
});
