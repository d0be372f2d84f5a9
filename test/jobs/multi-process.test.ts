import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startJobEngine } from '../../src/jobs/job-engine.ts';
import { createLogger } from '../../src/shared/logger.ts';
import { CREATE_PROBE_RUNS_TABLE, PROBE_JOB, probeRecordRunJob } from '../fixtures/probe-job.ts';
import { killSpawnedProcesses, repoRoot, spawnNode, waitForExit, waitForOutput, type SpawnedNode } from '../fixtures/recur-process.ts';
import { openTestDatabase, testDatabaseKinds, type TestDatabase } from '../support/test-database.ts';

const WORKER = fileURLToPath(new URL('../fixtures/job-worker-process.ts', import.meta.url));
const WORKER_READY = /^job worker ready pid=(\d+)$/m;
const JOBS = 200;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function waitUntil(check: () => Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting until ${what}`);
    await sleep(100);
  }
}

// Only PostgreSQL is shared between processes: an embedded database belongs to one process.
describe.runIf(testDatabaseKinds.includes('postgres'))('jobs across two recur processes on one PostgreSQL', { timeout: 120_000 }, () => {
  let database: TestDatabase;

  beforeAll(async () => {
    database = await openTestDatabase('postgres');
    await database.db.exec(CREATE_PROBE_RUNS_TABLE);
  });
  afterAll(async () => {
    await killSpawnedProcesses();
    await database?.dispose();
  });

  const runs = async () =>
    (await database.db.query<{ n: number; pid: number }>('SELECT n, pid FROM probe_job_runs ORDER BY n, ran_at')).rows;
  const completedInPgBoss = async () =>
    (await database.db.query<{ count: number }>("SELECT count(*)::int AS count FROM pgboss.job WHERE name = $1 AND state = 'completed'", [PROBE_JOB])).rows[0]!.count;

  it(`runs each of ${JOBS} jobs exactly once, and both processes take a share`, async () => {
    const env = { DATABASE_URL: database.url!, JOB_POLL_INTERVAL_SECONDS: '0.5', LOG_LEVEL: 'warn' };
    // Both at once, as two replicas of a deployment start: on a fresh database they race to
    // create the same queues (pg-boss can deadlock there; the engine retries).
    const workers: SpawnedNode[] = [0, 1].map(() => spawnNode(['--import', 'tsx', WORKER], { cwd: repoRoot, env }));
    const pids = await Promise.all(workers.map(async (worker) => Number(await waitForOutput(worker, () => WORKER_READY.exec(worker.stderr())?.[1] ?? null, 60_000))));
    expect(pids).toEqual(workers.map((worker) => worker.child.pid));

    // The jobs come from a third engine that only enqueues, as an API process does, so neither
    // worker has a head start. One transaction makes all of them visible at the same instant:
    // both workers' next fetches then race for the very same rows.
    const producer = await startJobEngine({ db: database.db, jobs: [probeRecordRunJob(database.db)], logger: createLogger('warn'), pollIntervalSeconds: 0.5, work: false });
    const started = Date.now();
    await database.db.transaction(async (tx) => {
      for (let n = 0; n < JOBS; n++) expect(await producer.enqueue(PROBE_JOB, { n }, { tx })).toMatch(/^[0-9a-f-]{36}$/);
    });
    await producer.stop();

    await waitUntil(async () => (await runs()).length >= JOBS, 60_000, `${JOBS} probe runs were recorded`);
    const allRanAfterMs = Date.now() - started;
    await waitUntil(async () => (await completedInPgBoss()) >= JOBS, 30_000, `pg-boss marked ${JOBS} jobs completed`);
    // A job claimed twice would run again within a polling round or two: wait for stragglers.
    await sleep(3_000);

    const recorded = await runs();
    const byPid = new Map<number, number>();
    for (const run of recorded) byPid.set(run.pid, (byPid.get(run.pid) ?? 0) + 1);
    console.info(`${JOBS} jobs ran in ${allRanAfterMs} ms; per worker pid: ${JSON.stringify(Object.fromEntries(byPid))}`);

    expect(recorded).toHaveLength(JOBS);
    expect(new Set(recorded.map((run) => run.n)).size).toBe(JOBS);
    expect(recorded.map((run) => run.n)).toEqual(Array.from({ length: JOBS }, (_, n) => n));
    expect([...byPid.keys()].sort()).toEqual([...pids].sort());
    expect(await completedInPgBoss()).toBe(JOBS);
    const states = await database.db.query<{ state: string; count: number }>('SELECT state, count(*)::int AS count FROM pgboss.job WHERE name = $1 GROUP BY state', [PROBE_JOB]);
    expect(states.rows).toEqual([{ state: 'completed', count: JOBS }]);

    for (const worker of workers) worker.child.kill('SIGTERM');
    const exits = await Promise.all(workers.map((worker) => waitForExit(worker, 30_000)));
    expect(exits).toEqual([
      { code: 0, signal: null },
      { code: 0, signal: null },
    ]);
    for (const worker of workers) expect(worker.stderr()).toMatch(/\njob worker stopped\n$/);
  });
});
