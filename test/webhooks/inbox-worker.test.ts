import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listAuditEntries } from '../../src/db/repositories/audit-log-repository.ts';
import { insertInboxEvent } from '../../src/db/repositories/webhook-inbox-repository.ts';
import type { EventProcessor, InboxEvent } from '../../src/webhooks/inbox-event.ts';
import { processInboxBatch } from '../../src/webhooks/process-inbox-batch.ts';
import type { WorkerDeps } from '../../src/webhooks/process-inbox-event.ts';
import { testDatabaseKinds } from '../support/test-database.ts';
import { readInboxRow, startWebhookTestApp, type WebhookTestApp } from './webhook-test-app.ts';

const MINUTE = 60_000;

describe.each(testDatabaseKinds)('inbox worker on %s', (kind) => {
  let t: WebhookTestApp;
  const calls = new Map<string, number>();
  // Each event id names its own behaviour, so one processor serves every test.
  const processor: EventProcessor = async (event: InboxEvent) => {
    calls.set(event.providerEventId, (calls.get(event.providerEventId) ?? 0) + 1);
    if (event.providerEventId.startsWith('evt_flaky') && event.attempt < 3) throw new Error(`provider read failed on attempt ${event.attempt}`);
    if (event.providerEventId.startsWith('evt_broken')) throw new Error('always fails');
    return {
      async apply(tx) {
        if (event.type === 'unknown.type') return { outcome: 'ignored', reason: `recur does not use ${event.type}` };
        await tx.query('INSERT INTO worker_effects (event_id) VALUES ($1)', [event.providerEventId]);
        if (event.providerEventId.startsWith('evt_half')) throw new Error('apply failed after writing');
        return { outcome: 'applied' };
      },
    };
  };

  beforeAll(async () => {
    t = await startWebhookTestApp(kind, { processors: { stripe: processor }, maxAttempts: 3, adminEmails: ['ops@example.nl'] });
    await t.ctx.db.exec('CREATE TABLE worker_effects (event_id text NOT NULL)');
  });
  afterAll(() => t.close());

  const deps = (): WorkerDeps => ({ db: t.ctx.db, clock: t.clock, webhooks: t.ctx.webhooks, locale: 'nl', random: () => 0.5 });
  const receive = (id: string, type = 'invoice.paid', provider = 'stripe') =>
    insertInboxEvent(t.ctx.db, { provider, providerEventId: id, type, payload: { id, type }, providerCreatedAt: null }, t.clock.now());
  const effects = async (id: string) => (await t.ctx.db.query<{ n: number }>('SELECT count(*)::int AS n FROM worker_effects WHERE event_id = $1', [id])).rows[0]!.n;

  it('applies an event and marks it processed in one go', async () => {
    await receive('evt_plain');
    expect(await processInboxBatch(deps())).toMatchObject({ claimed: 1, processed: 1 });
    expect(await readInboxRow(t, 'evt_plain')).toMatchObject({ status: 'processed', attempts: 1, processed_at: t.clock.now(), last_error: null });
    expect(await effects('evt_plain')).toBe(1);
    expect(await processInboxBatch(deps())).toMatchObject({ claimed: 0 });
  });

  it('stores an unknown event type and marks it ignored with the reason', async () => {
    await receive('evt_unknown', 'unknown.type');
    await processInboxBatch(deps());
    expect(await readInboxRow(t, 'evt_unknown')).toMatchObject({ status: 'ignored', last_error: 'ignored: recur does not use unknown.type' });
  });

  it('marks events of a provider without a processor ignored', async () => {
    await receive('evt_paypal_1', 'PAYMENT.CAPTURE.COMPLETED', 'paypal');
    await processInboxBatch(deps());
    expect(await readInboxRow(t, 'evt_paypal_1')).toMatchObject({ status: 'ignored', last_error: expect.stringContaining('no event processor') });
  });

  it('retries with backoff from the clock and succeeds on the third attempt', async () => {
    await receive('evt_flaky');
    const start = t.clock.now().getTime();
    await processInboxBatch(deps());
    // attempt 1 failed: 30 s base, jitter pinned at the middle (random 0.5 -> factor 1.0)
    expect(await readInboxRow(t, 'evt_flaky')).toMatchObject({ status: 'failed', attempts: 1, next_attempt_at: new Date(start + 30_000), last_error: 'provider read failed on attempt 1' });
    expect(await processInboxBatch(deps())).toMatchObject({ claimed: 0 });
    t.clock.advance(30_000);
    await processInboxBatch(deps());
    expect(await readInboxRow(t, 'evt_flaky')).toMatchObject({ status: 'failed', attempts: 2, next_attempt_at: new Date(start + 30_000 + MINUTE) });
    t.clock.advance(MINUTE);
    await processInboxBatch(deps());
    expect(await readInboxRow(t, 'evt_flaky')).toMatchObject({ status: 'processed', attempts: 3, last_error: null });
    expect(calls.get('evt_flaky')).toBe(3);
    expect(await effects('evt_flaky')).toBe(1);
  });

  it('writes neither the effects nor a done mark when apply throws after writing', async () => {
    await receive('evt_half');
    expect(await processInboxBatch(deps())).toMatchObject({ failed: 1 });
    expect(await effects('evt_half')).toBe(0);
    expect(await readInboxRow(t, 'evt_half')).toMatchObject({ status: 'failed', processed_at: null, last_error: 'apply failed after writing' });
  });

  it('dead-letters after the configured attempts, with an audit entry and an admin alert in the outbox', async () => {
    await receive('evt_broken');
    for (let attempt = 1; attempt <= 3; attempt++) {
      await processInboxBatch(deps());
      t.clock.advance(10 * MINUTE);
    }
    const row = await readInboxRow(t, 'evt_broken');
    expect(row).toMatchObject({ status: 'dead', attempts: 3, next_attempt_at: null, last_error: 'always fails' });
    await processInboxBatch(deps());
    expect(calls.get('evt_broken')).toBe(3);
    const id = (await t.ctx.db.query<{ id: number }>("SELECT id::int AS id FROM webhook_inbox WHERE provider_event_id = 'evt_broken'")).rows[0]!.id;
    const audit = await listAuditEntries(t.ctx.db, 'webhook_event', String(id));
    expect(audit).toMatchObject([{ actor: 'webhook-worker', action: 'dead_letter', reason: 'always fails' }]);
    const outbox = await t.ctx.db.query("SELECT business_key, channel, template, recipient, status FROM notification_outbox WHERE business_key LIKE 'alert:webhook-dead:%:evt_broken'");
    expect(outbox.rows).toEqual([{ business_key: 'alert:webhook-dead:stripe:evt_broken', channel: 'email', template: 'admin-alert-dead-webhook', recipient: 'ops@example.nl', status: 'pending' }]);
  });
});
