import { afterEach, describe, expect, it } from 'vitest';
import { releaseExpiredInboxClaims } from '../../src/jobs/release-expired-inbox-claims.ts';
import { systemClock } from '../../src/shared/clock.ts';
import { createLogger } from '../../src/shared/logger.ts';
import { drainInboxPass } from '../../src/webhooks/drain-inbox.ts';
import { startInboxWakeUp, type InboxWakeUp } from '../../src/webhooks/inbox-wake-up.ts';
import { nextInboxDueTime } from '../../src/webhooks/next-inbox-due-time.ts';
import type { WorkerDeps } from '../../src/webhooks/process-inbox-event.ts';
import { openTestDatabase, testDatabaseKinds, type TestDatabase } from '../support/test-database.ts';

async function waitFor(what: string, check: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/**
 * Work that falls due with no webhook to announce it (a failed event's retry, a worker's lapsed
 * claim) is worked when it is due, not at the next minutely run of the inbox job.
 */
describe.each(testDatabaseKinds)('the inbox worker on %s wakes itself for work that falls due', (kind) => {
  let database: TestDatabase;
  let worker: InboxWakeUp | null = null;
  afterEach(async () => {
    await worker?.stop();
    worker = null;
    await database.dispose();
  });

  async function start(): Promise<void> {
    database = await openTestDatabase(kind);
    const db = database.db;
    // No processor: a claimed event is worked to 'ignored', which is all this needs.
    const deps: WorkerDeps = { db, clock: systemClock, webhooks: { processors: {}, maxAttempts: 5, claimLeaseMs: 60_000, adminEmails: [] }, locale: 'en' };
    worker = await startInboxWakeUp((stopping) => drainInboxPass(deps, undefined, undefined, stopping), {
      postgresUrl: database.url ?? undefined,
      logger: createLogger('silent'),
      dueWork: { nextDueAt: () => nextInboxDueTime(db), now: () => systemClock.now(), releaseLapsedClaims: () => releaseExpiredInboxClaims({ db, clock: systemClock }) },
    });
  }

  const statusOf = async (eventId: string) =>
    (await database.db.query<{ status: string }>('SELECT status FROM webhook_inbox WHERE provider_event_id = $1', [eventId])).rows[0]?.status;

  it('retries a failed event when its retry falls due', async () => {
    await start();
    await database.db.query(
      `INSERT INTO webhook_inbox (provider, provider_event_id, type, payload, received_at, status, attempts, next_attempt_at, last_error)
       VALUES ('stripe', 'evt_retry_due', 'invoice.paid', '{"id": "evt_retry_due"}'::jsonb, now(), 'failed', 1, now() + interval '1500 milliseconds', 'the provider answered 503')`,
    );
    worker!.wake();
    await waitFor('the pass that finds the retry not yet due', async () => (await nextInboxDueTime(database.db)) !== null, 2_000);
    expect(await statusOf('evt_retry_due')).toBe('failed');
    // No wake-up after this: only the timer set for the retry can work it.
    await waitFor('the retry to be worked', async () => (await statusOf('evt_retry_due')) === 'ignored', 5_000);
  }, 30_000);

  it('releases and works a claim that lapsed (its worker died) when its lease ends', async () => {
    await start();
    await database.db.query(
      `INSERT INTO webhook_inbox (provider, provider_event_id, type, payload, received_at, status, attempts, lease_expires_at)
       VALUES ('stripe', 'evt_lapsed_claim', 'invoice.paid', '{"id": "evt_lapsed_claim"}'::jsonb, now(), 'processing', 1, now() + interval '1 second')`,
    );
    worker!.wake();
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(await statusOf('evt_lapsed_claim')).toBe('processing');
    await waitFor('the lapsed claim to be released and worked', async () => (await statusOf('evt_lapsed_claim')) === 'ignored', 5_000);
  }, 30_000);

  it('sets no timer for work due later than the scheduled run', async () => {
    await start();
    await database.db.query(
      `INSERT INTO webhook_inbox (provider, provider_event_id, type, payload, received_at, status, attempts, next_attempt_at)
       VALUES ('stripe', 'evt_retry_later', 'invoice.paid', '{"id": "evt_retry_later"}'::jsonb, now(), 'failed', 3, now() + interval '10 minutes')`,
    );
    worker!.wake();
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    expect(await statusOf('evt_retry_later')).toBe('failed');
  }, 30_000);
});
