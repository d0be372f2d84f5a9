import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../src/db/database.ts';
import { databaseTarget, openDatabase } from '../../src/db/open-database.ts';
import { killSpawnedProcesses, runRecur } from '../fixtures/recur-process.ts';
import { openTestDatabase, testDatabaseKinds, type TestDatabase } from '../support/test-database.ts';

afterEach(() => killSpawnedProcesses());

describe.each(testDatabaseKinds)('recur events on %s', (kind) => {
  let cwd: string;
  let env: Record<string, string>;
  let database: TestDatabase | null = null;

  beforeAll(async () => {
    cwd = mkdtempSync(join(tmpdir(), 'recur-events-'));
    if (kind === 'postgres') {
      database = await openTestDatabase('postgres');
      env = { DATABASE_URL: database.url! };
    } else {
      env = { RECUR_DATA_DIR: join(cwd, 'data') };
      expect((await runRecur(['migrate'], { cwd, env })).code).toBe(0);
    }
    await withDb(async (db) => {
      await db.query(
        `INSERT INTO webhook_inbox (provider, provider_event_id, type, payload, status, attempts, last_error, received_at)
         VALUES ('stripe', 'evt_cli_dead', 'invoice.paid', '{"secret_marker":"x"}', 'dead', 8, 'always fails', now()),
                ('stripe', 'evt_cli_done', 'invoice.paid', '{}', 'processed', 1, NULL, now())`,
      );
    });
  }, 90_000);
  afterAll(async () => {
    await database?.dispose();
    rmSync(cwd, { recursive: true, force: true });
  });

  // The embedded directory is opened only between CLI runs: one process at a time holds it.
  async function withDb<T>(work: (db: Database) => Promise<T>): Promise<T> {
    if (database) return work(database.db);
    const db = await openDatabase(databaseTarget({ RECUR_DATA_DIR: join(cwd, 'data') }));
    try {
      return await work(db);
    } finally {
      await db.close();
    }
  }

  it('lists dead events without payloads', async () => {
    const run = await runRecur(['events', 'list', '--status', 'dead'], { cwd, env });
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/evt_cli_dead\s+invoice\.paid\s+dead\s+attempts 8\s+always fails/);
    expect(run.stdout).not.toContain('evt_cli_done');
    expect(run.stdout).not.toContain('secret_marker');
  });

  it('replays a dead event by its provider id and records it as the CLI', async () => {
    const run = await runRecur(['events', 'replay', 'evt_cli_dead'], { cwd, env });
    expect(run.code, run.stderr).toBe(0);
    const [row, audit] = await withDb(async (db) => [
      (await db.query("SELECT status, attempts FROM webhook_inbox WHERE provider_event_id = 'evt_cli_dead'")).rows[0],
      (await db.query("SELECT actor, action FROM audit_log WHERE entity = 'webhook_event'")).rows,
    ]);
    expect(row).toEqual({ status: 'received', attempts: 0 });
    expect(audit).toEqual([{ actor: 'cli', action: 'replay' }]);
  });

  it('refuses a processed event and an unknown one with one line', async () => {
    const processed = await runRecur(['events', 'replay', 'evt_cli_done'], { cwd, env });
    expect(processed.code).toBe(65);
    expect(processed.stderr).toMatch(/^recur: webhook event \d+ is processed; only dead, failed or ignored/);
    const unknown = await runRecur(['events', 'replay', 'evt_nobody'], { cwd, env });
    expect(unknown.code).toBe(66);
  });
});
