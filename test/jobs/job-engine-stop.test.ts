import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { Database } from '../../src/db/database.ts';
import { defineJob } from '../../src/jobs/job-definition.ts';
import { startJobEngine } from '../../src/jobs/job-engine.ts';
import { createLogger } from '../../src/shared/logger.ts';
import { openTestDatabase, testDatabaseKinds, type TestDatabase } from '../support/test-database.ts';

/** The database with a gate in front of the job queue's fetch (the one statement with SKIP LOCKED). */
function gatedDatabase(db: Database) {
  let release: (() => void) | null = null;
  let gate: Promise<void> | null = null;
  let fetchHeld: () => void = () => {};
  const held = new Promise<void>((resolve) => (fetchHeld = resolve));
  const state = { started: 0 };
  const pass = async (sql: string) => {
    state.started++;
    if (gate && sql.includes('SKIP LOCKED')) {
      fetchHeld();
      await gate;
    }
  };
  const gated: Database = {
    kind: db.kind,
    async query(sql, params, options) {
      await pass(sql);
      return db.query(sql, params, options);
    },
    async exec(sql) {
      await pass(sql);
      return db.exec(sql);
    },
    transaction: (work) => db.transaction(work),
    close: () => db.close(),
  };
  return {
    db: gated,
    state,
    holdFetches() {
      gate = new Promise<void>((resolve) => (release = resolve));
      return held;
    },
    releaseFetches() {
      gate = null;
      release?.();
    },
  };
}

const job = (runs: string[]) =>
  defineJob({
    name: 'record-run',
    description: 'test job: records that it ran',
    payload: z.object({ key: z.string() }),
    retryLimit: 2,
    retryDelaySeconds: 1,
    expireInSeconds: 30,
    handle: async ({ key }) => {
      runs.push(key);
    },
  });

describe.each(testDatabaseKinds)('stopping the job engine on %s', (kind) => {
  let database: TestDatabase | undefined;
  afterEach(async () => {
    await database?.dispose();
    database = undefined;
  });

  it('returns only after a fetch under way when it was called has ended, and leaves the fetched job for the next start', async () => {
    database = await openTestDatabase(kind);
    const gated = gatedDatabase(database.db);
    const runs: string[] = [];
    const first = await startJobEngine({ db: gated.db, jobs: [job(runs)], logger: createLogger('silent'), pollIntervalSeconds: 0.5 });
    const fetchHeld = gated.holdFetches();
    const jobId = await first.enqueue('record-run', { key: 'late' });
    await fetchHeld;

    let queriesWhenStopped: number | null = null;
    const stopped = first.stop().then(() => (queriesWhenStopped = gated.state.started));
    // pg-boss's own stop sees no job handed over yet and returns here; the engine must not.
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(queriesWhenStopped).toBeNull();
    gated.releaseFetches();
    await stopped;

    // Nothing of the first engine runs after its stop returned: the caller may close the database now.
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    expect(gated.state.started).toBe(queriesWhenStopped);
    expect(runs).toEqual([]);
    const row = await database.db.query<{ state: string }>('SELECT state FROM pgboss.job WHERE id = $1', [jobId]);
    expect(row.rows[0]?.state).toBe('retry');

    // The next start runs it.
    const second = await startJobEngine({ db: database.db, jobs: [job(runs)], logger: createLogger('silent'), pollIntervalSeconds: 0.5 });
    try {
      const deadline = Date.now() + 20_000;
      while (runs.length === 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));
      expect(runs).toEqual(['late']);
    } finally {
      await second.stop();
    }
  });
});
