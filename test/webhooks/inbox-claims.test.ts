import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listAuditEntries } from '../../src/db/repositories/audit-log-repository.ts';
import { insertInboxEvent } from '../../src/db/repositories/webhook-inbox-repository.ts';
import { releaseExpiredInboxClaims } from '../../src/jobs/release-expired-inbox-claims.ts';
import { claimDueInboxEvents } from '../../src/webhooks/claim-due-inbox-events.ts';
import type { EventProcessor } from '../../src/webhooks/inbox-event.ts';
import { INBOX_LEASE_MS, processInboxBatch } from '../../src/webhooks/process-inbox-batch.ts';
import { processInboxEvent, type WorkerDeps } from '../../src/webhooks/process-inbox-event.ts';
import { markInboxEventsDone } from '../../src/webhooks/settle-inbox-event.ts';
import { testDatabaseKinds } from '../support/test-database.ts';
import { readInboxRow, startWebhookTestApp, type WebhookTestApp } from './webhook-test-app.ts';

describe.each(testDatabaseKinds)('inbox claims on %s', (kind) => {
  let t: WebhookTestApp;
  const invocations = new Map<string, number>();
  const processor: EventProcessor = async (event) => {
    invocations.set(event.providerEventId, (invocations.get(event.providerEventId) ?? 0) + 1);
    if (event.providerEventId === 'evt_doomed') throw new Error('never works');
    return {
      async apply(tx) {
        await tx.query('INSERT INTO claim_effects (event_id, attempt) VALUES ($1, $2)', [event.providerEventId, event.attempt]);
        return { outcome: 'applied' };
      },
    };
  };

  beforeAll(async () => {
    // No ADMIN_EMAILS: a dead event is alerted in the audit log only.
    t = await startWebhookTestApp(kind, { processors: { stripe: processor }, maxAttempts: 1 });
    await t.ctx.db.exec('CREATE TABLE claim_effects (event_id text NOT NULL, attempt integer NOT NULL)');
  });
  afterAll(() => t.close());

  const deps = (): WorkerDeps => ({ db: t.ctx.db, clock: t.clock, webhooks: t.ctx.webhooks, locale: 'en', random: () => 0.5 });
  const receive = (id: string) => insertInboxEvent(t.ctx.db, { provider: 'stripe', providerEventId: id, type: 'invoice.paid', payload: { id }, providerCreatedAt: null }, t.clock.now());

  it('two workers claiming at once never process one event twice', async () => {
    const ids = Array.from({ length: 30 }, (_, n) => `evt_race_${n}`);
    for (const id of ids) await receive(id);
    const reports = await Promise.all([0, 1, 2].map(() => processInboxBatch(deps(), { limit: 12 })));
    await processInboxBatch(deps(), { limit: 50 });
    expect(reports.reduce((sum, report) => sum + report.claimed, 0)).toBeGreaterThan(0);
    expect(ids.map((id) => invocations.get(id))).toEqual(ids.map(() => 1));
    const effects = await t.ctx.db.query<{ n: number }>("SELECT count(*)::int AS n FROM claim_effects WHERE event_id LIKE 'evt_race_%'");
    expect(effects.rows[0]!.n).toBe(30);
  });

  it('ignores the events no processor takes in one statement per batch, each once, however many workers claim', async () => {
    const ids = Array.from({ length: 25 }, (_, n) => `WH-unprocessed-${n}`);
    for (const id of ids) await insertInboxEvent(t.ctx.db, { provider: 'paypal', providerEventId: id, type: 'PAYMENT.SALE.COMPLETED', payload: { id }, providerCreatedAt: null }, t.clock.now());
    const reports = await Promise.all([0, 1, 2].map(() => processInboxBatch(deps(), { limit: 10 })));
    const rest = await processInboxBatch(deps(), { limit: 50 });
    expect([...reports, rest].reduce((sum, report) => sum + report.ignored, 0)).toBe(25);
    const rows = await t.ctx.db.query<{ status: string; attempts: number; last_error: string }>("SELECT status, attempts, last_error FROM webhook_inbox WHERE provider_event_id LIKE 'WH-unprocessed-%'");
    expect(rows.rows).toHaveLength(25);
    for (const row of rows.rows) expect(row).toEqual({ status: 'ignored', attempts: 1, last_error: 'ignored: no event processor is registered for paypal' });
  });

  it('a batch mark lands only on the claims still ours', async () => {
    for (const id of ['WH-stale-1', 'WH-stale-2']) await insertInboxEvent(t.ctx.db, { provider: 'paypal', providerEventId: id, type: 'PAYMENT.SALE.COMPLETED', payload: { id }, providerCreatedAt: null }, t.clock.now());
    const stale = await claimDueInboxEvents(t.ctx.db, { now: t.clock.now(), leaseMs: INBOX_LEASE_MS, limit: 2 });
    expect(stale).toHaveLength(2);
    // Another worker took the second one over after its lease lapsed.
    await t.ctx.db.query('UPDATE webhook_inbox SET attempts = attempts + 1 WHERE id = $1', [stale[1]!.id]);
    const ignored = { outcome: 'ignored' as const, reason: 'test' };
    const marked = await markInboxEventsDone(t.ctx.db, stale.map((event) => ({ claim: { id: event.id, attempt: event.attempt }, outcome: ignored })), t.clock.now());
    expect([...marked]).toEqual([stale[0]!.id]);
    expect(await readInboxRow(t, 'WH-stale-2')).toMatchObject({ status: 'processing', attempts: 2 });
    // Its new owner finishes it (the next test counts lapsed claims).
    await t.ctx.db.query("UPDATE webhook_inbox SET status = 'ignored', lease_expires_at = NULL WHERE id = $1", [stale[1]!.id]);
  });

  it('a worker whose lease lapsed and whose event was re-claimed marks nothing and leaves no effects', async () => {
    await receive('evt_slow');
    const [stale] = await claimDueInboxEvents(t.ctx.db, { now: t.clock.now(), leaseMs: INBOX_LEASE_MS, limit: 1 });
    t.clock.advance(INBOX_LEASE_MS + 1000);
    // A lapsed claim is an attempt: with one allowed, it would be dead now instead of released.
    expect(await releaseExpiredInboxClaims({ ...t.ctx, webhooks: { ...t.ctx.webhooks, maxAttempts: 2 } })).toBe(1);
    expect(await processInboxBatch(deps())).toMatchObject({ claimed: 1, processed: 1 });
    // The first worker finally finishes its (attempt 1) work.
    expect(await processInboxEvent(deps(), stale!)).toBe('lost-claim');
    expect(await readInboxRow(t, 'evt_slow')).toMatchObject({ status: 'processed', attempts: 2 });
    const effects = await t.ctx.db.query("SELECT attempt FROM claim_effects WHERE event_id = 'evt_slow'");
    expect(effects.rows).toEqual([{ attempt: 2 }]);
  });

  it('dead-letters into the audit log but queues no e-mail when no admin address is configured', async () => {
    await receive('evt_doomed');
    expect(await processInboxBatch(deps())).toMatchObject({ dead: 1 });
    const id = (await t.ctx.db.query<{ id: number }>("SELECT id::int AS id FROM webhook_inbox WHERE provider_event_id = 'evt_doomed'")).rows[0]!.id;
    expect(await listAuditEntries(t.ctx.db, 'webhook_event', String(id))).toMatchObject([{ action: 'dead_letter', actor: 'webhook-worker' }]);
    const outbox = await t.ctx.db.query<{ n: number }>('SELECT count(*)::int AS n FROM notification_outbox');
    expect(outbox.rows[0]!.n).toBe(0);
  });
});
