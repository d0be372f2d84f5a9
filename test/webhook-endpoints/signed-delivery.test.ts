import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { insertEventCustomer, recordEvent, runDeliveryJob, testOutgoingWebhooks } from '../support/outgoing-webhooks.ts';
import { startShopReceiver } from '../support/shop-receiver.ts';
import { startTestApp, type TestApp } from '../support/test-app.ts';
import { testDatabaseKinds } from '../support/test-database.ts';

describe.each(testDatabaseKinds)('signed delivery to the shop (%s)', (kind) => {
  let t: TestApp;
  let receiver: Awaited<ReturnType<typeof startShopReceiver>>;
  let anna: string;

  beforeAll(async () => {
    t = await startTestApp(kind, { outgoingWebhooks: testOutgoingWebhooks(), settings: { METRICS_TOKEN: 'metrics-token-for-tests' } });
    anna = await insertEventCustomer(t, 'shop-anna');
  });
  afterAll(async () => {
    await t.close();
  });
  afterEach(async () => {
    await receiver?.close();
    await t.ctx.db.query('DELETE FROM webhook_endpoints');
  });

  const post = (url: string, payload: unknown) => t.app.inject({ method: 'POST', url, headers: { authorization: t.auth }, payload: payload as object });
  const get = (url: string) => t.app.inject({ method: 'GET', url, headers: { authorization: t.auth } });

  it('delivers recorded events, verified with the secret shown at creation, with the sequence and the customer', async () => {
    receiver = await startShopReceiver();
    const created = await post('/v1/webhook-endpoints', { url: receiver.url, event_types: ['*'], description: 'shop backend' });
    expect(created.statusCode).toBe(201);
    const { id, secret } = created.json();
    expect(secret).toMatch(/^whsec_[A-Za-z0-9+/=]{40,}$/);
    // The secret is shown once: not in the list, not in the endpoint, not in the row as given.
    expect((await get(`/v1/webhook-endpoints/${id}`)).body).not.toContain(secret.slice(6));
    expect((await get('/v1/webhook-endpoints')).body).not.toContain(secret.slice(6));
    const stored = await t.ctx.db.query<{ row: string }>('SELECT row_to_json(e)::text AS row FROM webhook_endpoints e');
    expect(stored.rows[0]!.row).not.toContain(secret.slice(6));

    t.clock.advance(1000);
    const first = await recordEvent(t, anna, 'subscription.trial_started', { id: 'sub-1', status: 'trialing' });
    const second = await recordEvent(t, anna, 'entitlement.changed', { entitled: true, reason: 'trialing', until: '2026-03-31T10:00:00.000Z' });
    await runDeliveryJob(t);

    expect(receiver.accepted()).toHaveLength(2);
    const verified = receiver.requests.map((request) => receiver.verify(request, secret));
    expect(verified.every((result) => result.ok)).toBe(true);
    const payloads = verified.map((result) => (result.ok ? result.payload : null));
    expect(receiver.requests.map((request) => request.headers['webhook-id']).sort()).toEqual([first.id, second.id].sort());
    expect(payloads).toContainEqual({ type: 'entitlement.changed', timestamp: t.clock.now().toISOString(), data: { entitled: true, reason: 'trialing', until: '2026-03-31T10:00:00.000Z', sequence: second.sequence, customer: 'shop-anna' } });
    expect(payloads).toContainEqual(expect.objectContaining({ type: 'subscription.trial_started', data: expect.objectContaining({ sequence: first.sequence, customer: 'shop-anna' }) }));
    // A wrong secret does not verify.
    expect(receiver.verify(receiver.requests[0]!, 'whsec_' + Buffer.alloc(32, 7).toString('base64')).ok).toBe(false);

    // Delivered once: another run sends nothing more.
    await runDeliveryJob(t);
    expect(receiver.requests).toHaveLength(2);
    const log = (await get(`/v1/webhook-endpoints/${id}/deliveries`)).json();
    expect(log.data).toHaveLength(2);
    expect(log.data[0]).toMatchObject({ status: 'succeeded', attempts: 1, last_status_code: 204, attempt_log: [{ status_code: 204, error: null }] });

    const metrics = await t.app.inject({ method: 'GET', url: '/metrics', headers: { authorization: 'Bearer metrics-token-for-tests' } });
    expect(metrics.body).toMatch(/recur_webhook_deliveries_total\{outcome="succeeded"\} [2-9]/);
  });

  it('sends an endpoint only the types it takes, and only events recorded after it was made', async () => {
    receiver = await startShopReceiver();
    const before = await recordEvent(t, anna, 'payment.failed', { id: 'pay-0' });
    await runDeliveryJob(t);
    t.clock.advance(1000);
    const created = await post('/v1/webhook-endpoints', { url: receiver.url, event_types: ['payment.failed', 'entitlement.changed'] });
    expect(created.statusCode).toBe(201);
    t.clock.advance(1000);
    await recordEvent(t, anna, 'customer.updated', { id: anna });
    const failed = await recordEvent(t, anna, 'payment.failed', { id: 'pay-1' });
    const entitlement = await recordEvent(t, anna, 'entitlement.changed', { entitled: false });
    await runDeliveryJob(t);
    const ids = receiver.requests.map((request) => request.headers['webhook-id']);
    expect(ids.sort()).toEqual([failed.id, entitlement.id].sort());
    expect(ids).not.toContain(before.id);
  });

  it('a replay sends every event since a time again with the same webhook-id; a retry sends one delivery again', async () => {
    receiver = await startShopReceiver();
    const { id } = (await post('/v1/webhook-endpoints', { url: receiver.url, event_types: ['payment.succeeded'] })).json();
    const since = t.clock.now();
    t.clock.advance(1000);
    const paid = await recordEvent(t, anna, 'payment.succeeded', { id: 'pay-2' });
    await runDeliveryJob(t);
    expect(receiver.requests).toHaveLength(1);

    const replay = await post(`/v1/webhook-endpoints/${id}/replay`, { since: since.toISOString() });
    expect(replay.statusCode).toBe(202);
    expect(replay.json()).toEqual({ queued: 1 });
    await runDeliveryJob(t);
    expect(receiver.requests.map((request) => request.headers['webhook-id'])).toEqual([paid.id, paid.id]);

    const log = (await get(`/v1/webhook-endpoints/${id}/deliveries`)).json();
    expect(log.data.map((delivery: { origin: string }) => delivery.origin).sort()).toEqual(['fan-out', 'replay']);
    const retried = await post(`/v1/webhook-deliveries/${log.data[0].id}/retry`, {});
    expect(retried.statusCode).toBe(200);
    expect(retried.json()).toMatchObject({ status: 'pending' });
    // Pending: a second retry has nothing to retry yet.
    expect((await post(`/v1/webhook-deliveries/${log.data[0].id}/retry`, {})).json().error.code).toBe('conflict');
    await runDeliveryJob(t);
    expect(receiver.requests).toHaveLength(3);
    expect((await get(`/v1/webhook-endpoints/${id}/deliveries`)).json().data[0]).toMatchObject({ status: 'succeeded', attempts: 2 });
  });

  it('a disabled endpoint gets nothing; enabled again, it gets what is recorded from then on', async () => {
    receiver = await startShopReceiver();
    const { id } = (await post('/v1/webhook-endpoints', { url: receiver.url, event_types: ['*'], enabled: false })).json();
    t.clock.advance(1000);
    await recordEvent(t, anna, 'customer.updated', { id: anna });
    await runDeliveryJob(t);
    expect(receiver.requests).toHaveLength(0);
    const patched = await t.app.inject({ method: 'PATCH', url: `/v1/webhook-endpoints/${id}`, headers: { authorization: t.auth }, payload: { enabled: true, description: 'back on' } });
    expect(patched.statusCode).toBe(200);
    expect(patched.json()).toMatchObject({ enabled: true, description: 'back on', disabled_reason: null });
    const later = await recordEvent(t, anna, 'customer.updated', { id: anna });
    await runDeliveryJob(t);
    expect(receiver.requests.map((request) => request.headers['webhook-id'])).toEqual([later.id]);
  });
});
