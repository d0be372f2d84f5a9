import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listAuditEntries } from '../../src/db/repositories/audit-log-repository.ts';
import type { EventProcessor } from '../../src/webhooks/inbox-event.ts';
import { processInboxBatch } from '../../src/webhooks/process-inbox-batch.ts';
import type { WorkerDeps } from '../../src/webhooks/process-inbox-event.ts';
import { testDatabaseKinds } from '../support/test-database.ts';
import { readInboxRow, SECRET, signStripe, startWebhookTestApp, stripeEventBody, type WebhookTestApp } from './webhook-test-app.ts';

describe.each(testDatabaseKinds)('webhook events admin API on %s', (kind) => {
  let t: WebhookTestApp;
  let providerDown = true;
  const processor: EventProcessor = async () => {
    if (providerDown) throw new Error('provider unreachable');
    return { apply: async () => ({ outcome: 'applied' }) };
  };

  beforeAll(async () => {
    t = await startWebhookTestApp(kind, { processors: { stripe: processor }, maxAttempts: 2 });
  });
  afterAll(() => t.close());

  const deps = (): WorkerDeps => ({ db: t.ctx.db, clock: t.clock, webhooks: t.ctx.webhooks, locale: 'nl', random: () => 0.5 });
  const deliver = async (id: string) => {
    const body = stripeEventBody(id);
    const response = await t.app.inject({ method: 'POST', url: '/webhooks/stripe', headers: { 'content-type': 'application/json', 'stripe-signature': signStripe(body, SECRET, t.clock.now()) }, payload: body });
    expect(response.statusCode).toBe(200);
  };
  const get = (url: string, auth = t.auth) => t.app.inject({ method: 'GET', url, headers: auth ? { authorization: auth } : {} });
  const replay = (id: string | number, auth = t.auth) => t.app.inject({ method: 'POST', url: `/v1/webhook-events/${id}/replay`, headers: auth ? { authorization: auth } : {} });

  it('lists dead events without their payloads, and with them on request', async () => {
    await deliver('evt_dead_1');
    await deliver('evt_fine_1');
    await processInboxBatch(deps());
    t.clock.advance(10 * 60_000);
    providerDown = true;
    await processInboxBatch(deps());
    const dead = await get('/v1/webhook-events?status=dead');
    expect(dead.statusCode).toBe(200);
    const ids = dead.json().data.map((event: { provider_event_id: string }) => event.provider_event_id);
    expect(ids.sort()).toEqual(['evt_dead_1', 'evt_fine_1']);
    expect(dead.json().data[0]).not.toHaveProperty('payload');
    expect(dead.json().data[0]).toMatchObject({ status: 'dead', attempts: 2, last_error: 'provider unreachable' });
    const withPayload = await get('/v1/webhook-events?status=dead&limit=1&include_payload=true');
    expect(withPayload.json()).toMatchObject({ has_more: true, data: [{ payload: { object: 'event' } }] });
  });

  it('replays a dead event by its provider id: attempts reset, audit-logged, then processed', async () => {
    providerDown = false;
    const response = await replay('evt_dead_1');
    expect(response.statusCode).toBe(200);
    expect(response.json()).toMatchObject({ status: 'received', attempts: 0, last_error: null });
    const audit = await listAuditEntries(t.ctx.db, 'webhook_event', String(response.json().id));
    expect(audit.map((entry) => [entry.action, entry.actor.split(':')[0]])).toEqual([['dead_letter', 'webhook-worker'], ['replay', 'api_key']]);
    await processInboxBatch(deps());
    expect(await readInboxRow(t, 'evt_dead_1')).toMatchObject({ status: 'processed', attempts: 1 });
  });

  it('replays by the inbox id too', async () => {
    const row = (await get('/v1/webhook-events?status=dead')).json().data[0];
    expect((await replay(row.id)).json()).toMatchObject({ id: row.id, status: 'received' });
  });

  it('refuses to replay a processed event (409) or an unknown one (404)', async () => {
    const processed = await replay('evt_dead_1');
    expect(processed.statusCode).toBe(409);
    expect(processed.json().error.code).toBe('conflict');
    expect((await replay('evt_nobody')).statusCode).toBe(404);
    const audit = await t.ctx.db.query<{ n: number }>("SELECT count(*)::int AS n FROM audit_log WHERE action = 'replay'");
    expect(audit.rows[0]!.n).toBe(2);
  });

  it('requires an admin API key for listing and replaying', async () => {
    expect((await get('/v1/webhook-events', '')).statusCode).toBe(401);
    const before = await readInboxRow(t, 'evt_fine_1');
    const refused = await replay('evt_fine_1', 'Bearer rk_forged');
    expect(refused.statusCode).toBe(401);
    expect(await readInboxRow(t, 'evt_fine_1')).toEqual(before);
  });
});
