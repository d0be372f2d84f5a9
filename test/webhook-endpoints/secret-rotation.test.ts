import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { listAuditEntries } from '../../src/db/repositories/audit-log-repository.ts';
import { insertEventCustomer, recordEvent, runDeliveryJob, testOutgoingWebhooks } from '../support/outgoing-webhooks.ts';
import { startShopReceiver } from '../support/shop-receiver.ts';
import { startTestApp, type TestApp } from '../support/test-app.ts';
import { testDatabaseKinds } from '../support/test-database.ts';

const HOUR = 60 * 60 * 1000;

describe.each(testDatabaseKinds)('signing secret rotation (%s)', (kind) => {
  let t: TestApp;
  let receiver: Awaited<ReturnType<typeof startShopReceiver>>;
  let customer: string;

  beforeAll(async () => {
    t = await startTestApp(kind, { outgoingWebhooks: testOutgoingWebhooks() });
    customer = await insertEventCustomer(t, 'shop-cor');
    receiver = await startShopReceiver();
  });
  afterEach(async () => {
    await t.ctx.db.query('DELETE FROM webhook_endpoints');
  });
  afterAll(async () => {
    await receiver.close();
    await t.close();
  });

  const post = (url: string, payload?: unknown) => t.app.inject({ method: 'POST', url, headers: { authorization: t.auth }, ...(payload === undefined ? {} : { payload: payload as object }) });
  const lastRequest = () => receiver.requests.at(-1)!;

  it('during the overlap a receiver with either secret verifies; after it only the new one', async () => {
    const created = (await post('/v1/webhook-endpoints', { url: receiver.url, event_types: ['*'] })).json();
    const oldSecret: string = created.secret;

    const rotated = await post(`/v1/webhook-endpoints/${created.id}/rotate-secret`, { overlap_hours: 24 });
    expect(rotated.statusCode).toBe(200);
    const newSecret: string = rotated.json().secret;
    expect(newSecret).not.toBe(oldSecret);
    expect(rotated.json().previous_secret_expires_at).toBe(new Date(t.clock.now().getTime() + 24 * HOUR).toISOString());
    const audit = await listAuditEntries(t.ctx.db, 'webhook_endpoint', created.id);
    expect(audit.map((entry) => entry.action)).toEqual(['create', 'rotate_secret']);
    expect(JSON.stringify(audit)).not.toContain(newSecret.slice(6));

    t.clock.advance(HOUR);
    await recordEvent(t, customer, 'customer.updated', { id: customer });
    await runDeliveryJob(t);
    expect(String(lastRequest().headers['webhook-signature']).split(' ')).toHaveLength(2);
    expect(receiver.verify(lastRequest(), oldSecret).ok).toBe(true);
    expect(receiver.verify(lastRequest(), newSecret).ok).toBe(true);

    t.clock.advance(24 * HOUR);
    await recordEvent(t, customer, 'customer.updated', { id: customer });
    await runDeliveryJob(t);
    expect(receiver.requests).toHaveLength(2);
    expect(String(lastRequest().headers['webhook-signature']).split(' ')).toHaveLength(1);
    expect(receiver.verify(lastRequest(), newSecret).ok).toBe(true);
    expect(receiver.verify(lastRequest(), oldSecret)).toEqual({ ok: false, error: 'No matching signature found' });
  });

  it('without a body the overlap is the setting; overlap 0 ends the old secret at once', async () => {
    const created = (await post('/v1/webhook-endpoints', { url: receiver.url, event_types: ['payment.refunded'] })).json();
    const byDefault = await post(`/v1/webhook-endpoints/${created.id}/rotate-secret`);
    expect(byDefault.statusCode).toBe(200);
    expect(byDefault.json().previous_secret_expires_at).toBe(new Date(t.clock.now().getTime() + 24 * HOUR).toISOString());
    const immediate = await post(`/v1/webhook-endpoints/${created.id}/rotate-secret`, { overlap_hours: 0 });
    expect(immediate.json().previous_secret_expires_at).toBeNull();
    const before = receiver.requests.length;
    t.clock.advance(1000);
    await recordEvent(t, customer, 'payment.refunded', { id: 'pay-r' });
    await runDeliveryJob(t);
    expect(receiver.requests).toHaveLength(before + 1);
    expect(receiver.verify(lastRequest(), immediate.json().secret).ok).toBe(true);
    expect(receiver.verify(lastRequest(), byDefault.json().secret).ok).toBe(false);
  });

  it('refuses a bad overlap and an unknown endpoint', async () => {
    const created = (await post('/v1/webhook-endpoints', { url: receiver.url, event_types: ['*'] })).json();
    const bad = await post(`/v1/webhook-endpoints/${created.id}/rotate-secret`, { overlap_hours: -1 });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.code).toBe('validation_failed');
    const unknown = await post('/v1/webhook-endpoints/0b6f3c1e-5a7d-4e2b-9c41-7d2f8a6e3b10/rotate-secret', {});
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json().error.code).toBe('not_found');
  });
});
