import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { defineJob } from '../../src/jobs/job-definition.ts';
import { startJobEngine, type JobEngine } from '../../src/jobs/job-engine.ts';
import { createLogger } from '../../src/shared/logger.ts';
import { openTestDatabase, testDatabaseKinds, type TestDatabase } from '../support/test-database.ts';

async function waitFor(check: () => Promise<boolean>, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe.each(testDatabaseKinds)('job engine on %s', (kind) => {
  let database: TestDatabase;
  let engine: JobEngine;
  const runs: number[] = [];
  const attempts = new Map<string, number>();
  const gaveUp: { job: string; jobId: string; attempts: number; error: string }[] = [];
  const runsEnded: string[] = [];

  beforeAll(async () => {
    database = await openTestDatabase(kind);
    await database.db.exec('CREATE TABLE job_effects (n integer NOT NULL)');
    const record = defineJob({
      name: 'record-number',
      description: 'test job: records its payload',
      payload: z.object({ n: z.number().int() }).strict(),
      retryLimit: 0,
      retryDelaySeconds: 1,
      expireInSeconds: 30,
      handle: async ({ n }) => {
        runs.push(n);
      },
    });
    const flaky = defineJob({
      name: 'flaky',
      description: 'test job: fails on its first attempt',
      payload: z.object({ key: z.string() }),
      retryLimit: 2,
      retryDelaySeconds: 1,
      expireInSeconds: 30,
      handle: async ({ key }, context) => {
        attempts.set(key, context.attempt);
        if (context.attempt === 1) throw new Error('first attempt fails on purpose');
      },
    });
    const refresh = defineJob({
      name: 'refresh-once',
      description: 'test job: stately, one queued per key',
      payload: z.object({ n: z.number() }),
      policy: 'stately',
      retryLimit: 0,
      retryDelaySeconds: 1,
      expireInSeconds: 30,
      handle: async () => {},
    });
    const broken = defineJob({
      name: 'always-fails',
      description: 'test job: fails every attempt',
      payload: z.object({ key: z.string() }),
      retryLimit: 1,
      retryDelaySeconds: 1,
      expireInSeconds: 30,
      handle: async ({ key }) => {
        throw new Error(`${key} fails on purpose`);
      },
    });
    engine = await startJobEngine({
      db: database.db,
      jobs: [record, flaky, refresh, broken],
      logger: createLogger('silent'),
      pollIntervalSeconds: 0.5,
      onGaveUp: async (failure) => {
        gaveUp.push(failure);
      },
      onRunEnded: (name) => runsEnded.push(name),
    });
  });
  afterAll(async () => {
    await engine.stop();
    await database.dispose();
  });

  it('runs each of 30 queued jobs exactly once', async () => {
    for (let n = 0; n < 30; n++) await engine.enqueue('record-number', { n });
    await waitFor(async () => runs.length >= 30);
    await new Promise((resolve) => setTimeout(resolve, 1200));
    expect([...runs].sort((a, b) => a - b)).toEqual(Array.from({ length: 30 }, (_, n) => n));
  });

  it('retries a failed job and records it completed on the second attempt', async () => {
    const endedBefore = runsEnded.filter((name) => name === 'flaky').length;
    const id = await engine.enqueue('flaky', { key: 'a' });
    await waitFor(async () => attempts.get('a') === 2, 30_000);
    // Each run is told when it ends, the failed one too (what it committed may be another worker's work: recur wakes its webhook delivery).
    await waitFor(async () => runsEnded.filter((name) => name === 'flaky').length === endedBefore + 2);
    await waitFor(async () => {
      const state = await database.db.query<{ state: string }>('SELECT state FROM pgboss.job WHERE id = $1', [id]);
      return state.rows[0]?.state === 'completed';
    });
  });

  it('enqueues inside a transaction only if it commits', async () => {
    const before = runs.length;
    await expect(
      database.db.transaction(async (tx) => {
        await tx.query('INSERT INTO job_effects (n) VALUES (1000)');
        await engine.enqueue('record-number', { n: 1000 }, { tx });
        throw new Error('the business change fails');
      }),
    ).rejects.toThrow('the business change fails');
    await database.db.transaction(async (tx) => {
      await tx.query('INSERT INTO job_effects (n) VALUES (1001)');
      await engine.enqueue('record-number', { n: 1001 }, { tx });
    });
    await waitFor(async () => runs.includes(1001));
    await new Promise((resolve) => setTimeout(resolve, 1200));
    expect(runs.slice(before)).toEqual([1001]);
    expect((await database.db.query('SELECT n FROM job_effects')).rows).toEqual([{ n: 1001 }]);
  });

  it('refuses a payload that does not match the job schema, and an unknown job', async () => {
    await expect(engine.enqueue('record-number', { n: 'one' })).rejects.toThrow();
    await expect(engine.enqueue('record-number', { n: 1, extra: true })).rejects.toThrow();
    await expect(engine.enqueue('no-such-job', {})).rejects.toThrow(/unknown job "no-such-job"/);
  });

  it('says once when a job fails its last retry, and not when a retry succeeds', async () => {
    const id = await engine.enqueue('always-fails', { key: 'broken-1' });
    await engine.enqueue('flaky', { key: 'flaky-gave-up-check' });
    await waitFor(async () => gaveUp.length > 0 && attempts.get('flaky-gave-up-check') === 2);
    // Both attempts (retry limit 1) failed; give the engine a moment to show it would not report twice.
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect(gaveUp).toEqual([{ job: 'always-fails', jobId: id, attempts: 2, error: 'broken-1 fails on purpose' }]);
  });

  it('does not queue a second job with the same singleton key while the first waits', async () => {
    const later = new Date(Date.now() + 60 * 60 * 1000);
    const first = await engine.enqueue('refresh-once', { n: 1 }, { singletonKey: 'sub_1', startAfter: later });
    const second = await engine.enqueue('refresh-once', { n: 2 }, { singletonKey: 'sub_1', startAfter: later });
    const otherKey = await engine.enqueue('refresh-once', { n: 3 }, { singletonKey: 'sub_2', startAfter: later });
    expect(first).toEqual(expect.any(String));
    expect(second).toBeNull();
    expect(otherKey).toEqual(expect.any(String));
    await expect(engine.enqueue('record-number', { n: 1 }, { singletonKey: 'x' })).rejects.toThrow(/not stately/);
  });
});
