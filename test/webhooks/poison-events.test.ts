import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { claimDueInboxEvents } from '../../src/webhooks/claim-due-inbox-events.ts';
import { releaseExpiredInboxClaims } from '../../src/jobs/release-expired-inbox-claims.ts';
import type { EventProcessor } from '../../src/webhooks/inbox-event.ts';
import { INBOX_LEASE_MS, processInboxBatch } from '../../src/webhooks/process-inbox-batch.ts';
import type { WorkerDeps } from '../../src/webhooks/process-inbox-event.ts';
import { testDatabaseKinds } from '../support/test-database.ts';
import { readInboxRow, SECRET, signStripe, startWebhookTestApp, type WebhookTestApp } from './webhook-test-app.ts';

const HOUR = 3_600_000;

// Signed events a provider would deliver again on any non-2xx answer (Stripe for three days):
// each must be stored once and end in a state, never answered 503 forever or claimed forever.
describe.each(testDatabaseKinds)('poison webhook events on %s', (kind) => {
  let t: WebhookTestApp;
  const processor: EventProcessor = async (event) => {
    if (event.providerEventId.startsWith('evt_quotes_nul')) throw new Error('cannot read customer "an\u0000na" from the payload');
    return { apply: async (tx) => (await tx.query('INSERT INTO poison_effects (event_id) VALUES ($1)', [event.providerEventId]), { outcome: 'applied' }) };
  };

  beforeAll(async () => {
    t = await startWebhookTestApp(kind, { processors: { stripe: processor }, maxAttempts: 3, adminEmails: ['ops@example.nl'], bodyLimitBytes: 512 * 1024 });
    await t.ctx.db.exec('CREATE TABLE poison_effects (event_id text NOT NULL)');
  });
  afterAll(() => t.close());

  const deps = (): WorkerDeps => ({ db: t.ctx.db, clock: t.clock, webhooks: t.ctx.webhooks, locale: 'en', random: () => 0.5 });
  const created = () => Math.floor(t.clock.now().getTime() / 1000) - 60;
  const deliver = (body: string) =>
    t.app.inject({ method: 'POST', url: '/webhooks/stripe', headers: { 'content-type': 'application/json', 'stripe-signature': signStripe(body, SECRET, t.clock.now()) }, payload: body });
  const event = (id: string, object: unknown) => JSON.stringify({ id, object: 'event', type: 'invoice.paid', created: created(), data: { object } });
  const effects = async (id: string) => (await t.ctx.db.query<{ n: number }>('SELECT count(*)::int AS n FROM poison_effects WHERE event_id = $1', [id])).rows[0]!.n;
  const listed = async (status: string) => (await t.app.inject({ method: 'GET', url: `/v1/webhook-events?status=${status}`, headers: { authorization: t.auth } })).json().data as { provider_event_id: string; last_error: string | null }[];
  const alerts = async (id: string) => (await t.ctx.db.query<{ n: number }>("SELECT count(*)::int AS n FROM notification_outbox WHERE business_key = $1", [`alert:webhook-dead:stripe:${id}`])).rows[0]!.n;

  it('stores an event with U+0000 and lone surrogates in its strings once, as U+FFFD, and processes it', async () => {
    const body = event('evt_nul_text', { id: 'in_nul', object: 'invoice', customer_name: 'Anna\u0000Jansen', ['memo\u0000']: 'half \ud800 pair' });
    expect(body).toContain('\\u0000');
    expect(body).toContain('\\ud800');
    const first = await deliver(body);
    expect(first.statusCode).toBe(200);
    expect(first.json()).toEqual({ received: true });
    expect((await deliver(body)).json()).toEqual({ received: true, duplicate: true });

    const stored = await t.ctx.db.query<{ payload: { data: { object: Record<string, string> } } }>("SELECT payload FROM webhook_inbox WHERE provider_event_id = 'evt_nul_text'");
    expect(stored.rows[0]!.payload.data.object).toEqual({ id: 'in_nul', object: 'invoice', customer_name: 'Anna\ufffdJansen', ['memo\ufffd']: 'half \ufffd pair' });
    await processInboxBatch(deps());
    expect(await readInboxRow(t, 'evt_nul_text')).toMatchObject({ status: 'processed', attempts: 1 });
    expect(await effects('evt_nul_text')).toBe(1);
  });

  it('parks an event nested 50,000 levels deep: 200 once, dead with the reason and an alert, listed, and the inbox goes on', async () => {
    const depth = 50_000;
    const body = `{"id":"evt_deep","object":"event","type":"invoice.paid","created":${created()},"data":{"object":${'['.repeat(depth)}${']'.repeat(depth)}}}`;
    const first = await deliver(body);
    expect(first.statusCode).toBe(200);
    expect(first.json()).toEqual({ received: true });
    expect((await deliver(body)).json()).toEqual({ received: true, duplicate: true });

    const row = await t.ctx.db.query<{ status: string; attempts: number; last_error: string; payload: unknown }>("SELECT status, attempts, last_error, payload FROM webhook_inbox WHERE provider_event_id = 'evt_deep'");
    expect(row.rows).toEqual([{ status: 'dead', attempts: 0, last_error: expect.stringContaining('nested deeper than 64 levels'), payload: { id: 'evt_deep', object: 'event', type: 'invoice.paid', created: created() } }]);
    expect(await listed('dead')).toContainEqual(expect.objectContaining({ provider_event_id: 'evt_deep', last_error: expect.stringContaining('parked') }));
    expect(await alerts('evt_deep')).toBe(1);
    expect(t.logLines.join('\n')).toContain('webhook event parked');

    expect((await deliver(event('evt_after_deep', { id: 'in_after', object: 'invoice' }))).statusCode).toBe(200);
    expect(await processInboxBatch(deps())).toMatchObject({ claimed: 1, processed: 1 });
    expect(await effects('evt_after_deep')).toBe(1);
    expect(await effects('evt_deep')).toBe(0);
  });

  it('an event whose processing fails quoting a U+0000 is retried, then dead, and never blocks the events after it', async () => {
    expect((await deliver(event('evt_quotes_nul', { id: 'in_q', object: 'invoice' }))).statusCode).toBe(200);
    expect((await deliver(event('evt_after_quote', { id: 'in_a', object: 'invoice' }))).statusCode).toBe(200);
    expect(await processInboxBatch(deps())).toMatchObject({ claimed: 2, failed: 1, processed: 1 });
    expect(await effects('evt_after_quote')).toBe(1);
    expect(await readInboxRow(t, 'evt_quotes_nul')).toMatchObject({ status: 'failed', attempts: 1, last_error: 'cannot read customer "an\ufffdna" from the payload' });
    for (let attempt = 2; attempt <= 3; attempt++) {
      t.clock.advance(6 * HOUR);
      await processInboxBatch(deps());
    }
    expect(await readInboxRow(t, 'evt_quotes_nul')).toMatchObject({ status: 'dead', attempts: 3 });
    expect(await listed('dead')).toContainEqual(expect.objectContaining({ provider_event_id: 'evt_quotes_nul' }));
    expect(await alerts('evt_quotes_nul')).toBe(1);
  });

  it('an event whose attempts never finish (the process dies, or outlives its lease) is dead after WEBHOOK_MAX_ATTEMPTS, not claimed forever', async () => {
    expect((await deliver(event('evt_never_finishes', { id: 'in_n', object: 'invoice' }))).statusCode).toBe(200);
    for (let attempt = 1; attempt <= 3; attempt++) {
      // A worker claims it and is never heard of again; its lease lapses and the claim is released.
      const claimed = await claimDueInboxEvents(t.ctx.db, { now: t.clock.now(), leaseMs: INBOX_LEASE_MS, limit: 20 });
      expect(claimed.map((claim) => claim.providerEventId)).toEqual(['evt_never_finishes']);
      t.clock.advance(INBOX_LEASE_MS + 1000);
      expect(await releaseExpiredInboxClaims(t.ctx)).toBe(1);
    }
    expect(await readInboxRow(t, 'evt_never_finishes')).toMatchObject({ status: 'dead', attempts: 3, last_error: expect.stringContaining('none of its 3 attempts finished') });
    expect(await claimDueInboxEvents(t.ctx.db, { now: t.clock.now(), leaseMs: INBOX_LEASE_MS, limit: 20 })).toEqual([]);
    expect(await listed('dead')).toContainEqual(expect.objectContaining({ provider_event_id: 'evt_never_finishes' }));
    expect(await alerts('evt_never_finishes')).toBe(1);
  });
});
