import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Database } from '../../src/db/database.ts';
import { openPGlite } from '../../src/db/pglite-database.ts';
import { createLogger } from '../../src/shared/logger.ts';
import { startInboxWakeUp } from '../../src/webhooks/inbox-wake-up.ts';
import { killSpawnedProcesses, repoRoot, runRecur, startRecur, type RunningRecur } from '../fixtures/recur-process.ts';
import { openTestDatabase, testDatabaseKinds, type TestDatabase } from '../support/test-database.ts';
import { SECRET, signStripe, stripeEventBody } from './webhook-test-app.ts';

async function waitFor(what: string, check: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

describe.each(testDatabaseKinds)('the inbox worker of a running `recur start` on %s', (kind) => {
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    await killSpawnedProcesses();
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  /** A stopped recur's database (PGlite is read once the process has let go of it). */
  let openDatabase: () => Promise<{ db: Database; close(): Promise<void> }>;

  async function prepare(): Promise<{ env: Record<string, string>; apiKey: string; database: TestDatabase | null }> {
    const dataDir = mkdtempSync(join(tmpdir(), 'recur-wake-'));
    cleanups.push(async () => rmSync(dataDir, { recursive: true, force: true }));
    const database = kind === 'postgres' ? await openTestDatabase('postgres') : null;
    if (database) cleanups.push(() => database.dispose());
    openDatabase = database ? async () => ({ db: database.db, close: async () => {} }) : async () => {
      const db = await openPGlite({ dataDir: join(dataDir, 'pgdata') });
      return { db, close: () => db.close() };
    };
    // No Stripe key: no processor, so every event is worked to 'ignored' by the worker.
    const env = {
      SANDBOX: 'off',
      STRIPE_WEBHOOK_SECRET: SECRET,
      LINK_SIGNING_SECRET: 'the link-signing key of this test, 32+ characters',
      JOB_POLL_INTERVAL_SECONDS: '0.5',
      RECONCILE_CRON: 'off',
      ...(database ? { DATABASE_URL: database.url! } : { RECUR_DATA_DIR: dataDir }),
    };
    const key = await runRecur(['keys', 'create', '--name', 'wake-test'], { cwd: repoRoot, env, timeoutMs: 90_000 });
    expect(key.code, key.stderr).toBe(0);
    return { env, apiKey: key.stdout.trim(), database };
  }

  const deliver = async (recur: RunningRecur, id: string) => {
    const body = stripeEventBody(id);
    const response = await fetch(`${recur.url}/webhooks/stripe`, { method: 'POST', headers: { 'content-type': 'application/json', 'stripe-signature': signStripe(body, SECRET, new Date()) }, body });
    return response.status;
  };

  /** Through the running process's admin API: rows in a status (up to 101; 101 means more). */
  const countStatus = async (recur: RunningRecur, apiKey: string, status: string) => {
    const page = await fetch(`${recur.url}/v1/webhook-events?status=${status}&limit=100`, { headers: { authorization: `Bearer ${apiKey}` } });
    const body = (await page.json()) as { data: unknown[]; has_more: boolean };
    return body.data.length + (body.has_more ? 1 : 0);
  };
  const unfinished = async (recur: RunningRecur, apiKey: string) =>
    (await countStatus(recur, apiKey, 'received')) + (await countStatus(recur, apiKey, 'processing')) + (await countStatus(recur, apiKey, 'failed'));

  it('works 100 deliveries sent at once, with no job written for them', async () => {
    const { env, apiKey } = await prepare();
    const recur = await startRecur({ cwd: repoRoot, env, timeoutMs: 90_000 });
    const statuses: number[] = [];
    for (let wave = 0; wave < 5; wave++) statuses.push(...(await Promise.all(Array.from({ length: 20 }, (_, index) => deliver(recur, `evt_wake_${wave}_${index}`)))));
    expect(statuses).toEqual(Array.from({ length: 100 }, () => 200));
    await waitFor('the 100 events to be worked', async () => (await unfinished(recur, apiKey)) === 0 && (await countStatus(recur, apiKey, 'ignored')) === 100, 20_000);
    expect((await recur.stop('SIGTERM')).code, recur.stderr()).toBe(0);

    const { db, close } = await openDatabase();
    try {
      // A wake-up per event used to be a job sent with the inbox's singleton key.
      const jobs = await db.query<{ n: number }>("SELECT count(*)::int AS n FROM pgboss.job WHERE name = 'process-webhook-inbox' AND singleton_key = 'inbox'");
      expect(jobs.rows[0]!.n).toBe(0);
    } finally {
      await close();
    }
  }, 240_000);

  it('works a backlog of more than 50 batches of 20 to the end, with no new webhook and before any scheduled run could', async () => {
    const { env, apiKey } = await prepare();
    // Rows left due by a process that stopped (recur is not running: the embedded database is free).
    const { db, close } = await openDatabase();
    try {
      await db.query(
        `INSERT INTO webhook_inbox (provider, provider_event_id, type, payload, received_at)
         SELECT 'stripe', 'evt_backlog_' || n, 'invoice.paid', '{"id": "evt"}'::jsonb, now() FROM generate_series(1, 1500) AS n`,
      );
    } finally {
      await close();
    }
    const recur = await startRecur({ cwd: repoRoot, env, timeoutMs: 90_000 });
    // The scheduled run comes at most once a minute and works 1,000 rows a run: it cannot have done this.
    await waitFor('the backlog to be worked off', async () => (await unfinished(recur, apiKey)) === 0, 55_000);
    expect(await countStatus(recur, apiKey, 'ignored')).toBe(101);
  }, 240_000);

  // LISTEN/NOTIFY is PostgreSQL's; the embedded database has one process.
  if (kind === 'postgres') it("wakes on another process's insert (LISTEN/NOTIFY), with no job and no webhook of its own", async () => {
    const { env, database } = await prepare();
    const recur = await startRecur({ cwd: repoRoot, env, timeoutMs: 90_000 });
    // Past the notice recur sends when it starts (it works rows left from before).
    await new Promise((resolve) => setTimeout(resolve, 500));
    let passes = 0;
    const worker = await startInboxWakeUp(
      async () => {
        passes += 1;
        return { claimed: 0, more: false };
      },
      { postgresUrl: database!.url!, logger: createLogger('silent') },
    );
    cleanups.push(() => worker.stop());
    await new Promise((resolve) => setTimeout(resolve, 500));
    const before = passes;
    expect(await deliver(recur, 'evt_other_process')).toBe(200);
    await waitFor("this worker's pass after the other process's insert", async () => passes > before, 5_000);
  }, 240_000);
});
