import PgBoss from 'pg-boss';
import type { Logger } from 'pino';
import type { Database } from '../db/database.ts';
import type { EnqueueOptions, JobDefinition, JobFailure } from './job-definition.ts';
import { toPgBossDb } from './pg-boss-connection.ts';
import { trackQueries, waitUntilIdle } from './query-tracking.ts';

export type JobEngine = {
  /** The job id, or null when a stately job with the same singleton key is already queued. */
  enqueue(name: string, payload: unknown, options?: EnqueueOptions): Promise<string | null>;
  /** Stops fetching, lets running jobs finish (up to the timeout), then returns. */
  stop(): Promise<void>;
};

export type JobEngineOptions = {
  db: Database;
  jobs: readonly JobDefinition<never>[] | readonly JobDefinition[];
  logger: Logger;
  pollIntervalSeconds: number;
  /** Whether this process fetches and runs jobs (false: it only enqueues). */
  work?: boolean;
  /** This process is the database's only user: jobs still 'active' at start are a dead run's (see failAbandonedJobs). */
  abandonActiveJobs?: boolean;
  /** Called once when a job fails its last retry (recur alerts the admins). */
  onGaveUp?: (failure: JobFailure) => Promise<void>;
  /** Called after each run of a job, done or failed (what it committed may be work for another worker). */
  onRunEnded?: (jobName: string) => void;
};

const STOP_TIMEOUT_MS = 15_000;
// After pg-boss's own stop: how long to wait for what it leaves running (see stop()).
const SETTLE_TIMEOUT_MS = 30_000;
// pg-boss waits a polling interval between fetches, so one fetch takes several jobs.
const WORK_BATCH_SIZE = 10;

/**
 * Starts pg-boss on recur's database. Job claims use `FOR UPDATE SKIP LOCKED` and cron
 * schedules are held in the database, so any number of recur processes on one PostgreSQL
 * share the work and each job runs once.
 */
export async function startJobEngine(options: JobEngineOptions): Promise<JobEngine> {
  const { db, logger } = options;
  const jobs = new Map(options.jobs.map((job) => [job.name, job as JobDefinition]));
  // Maintenance every 30 s (pg-boss: 120): it is what expires the active job of a process that died.
  // pg-boss's own queries are counted, so stop() can wait for those it does not await.
  const bossDb = trackQueries(toPgBossDb(db));
  let stopping = false;
  let handlersRunning = 0;
  const boss = new PgBoss({ db: bossDb, schema: 'pgboss', supervise: options.work !== false, schedule: options.work !== false, maintenanceIntervalSeconds: 30 });
  boss.on('error', (error) => logger.error({ err: error }, 'job engine error'));
  await boss.start();

  // Read once, so a start on an existing database costs two queries here instead of three per job.
  const existing = new Map((await boss.getQueues()).map((queue) => [queue.name, queue]));
  const abandoned = options.work !== false && options.abandonActiveJobs ? await findAbandonedJobs(db, [...jobs.keys()]) : new Map<string, string[]>();
  for (const job of jobs.values()) {
    await ensureQueue(boss, existing.get(job.name), {
      name: job.name,
      policy: job.policy ?? 'standard',
      retryLimit: job.retryLimit,
      retryDelay: job.retryDelaySeconds,
      retryBackoff: true,
      expireInSeconds: job.expireInSeconds,
    });
    if (options.work === false) continue;
    await failAbandonedJobs(boss, job.name, abandoned.get(job.name) ?? [], logger);
    if (job.cron) await boss.schedule(job.name, job.cron, {}, { tz: 'UTC' });
    await boss.work(job.name, { batchSize: WORK_BATCH_SIZE, pollingIntervalSeconds: options.pollIntervalSeconds, includeMetadata: true }, async (batch) => {
      handlersRunning++;
      try {
        // Each job of a batch succeeds or fails on its own: a failed one is marked failed (and so
        // retried) here, and pg-boss then completes only the jobs still active.
        const claimedJobs = batch as PgBoss.JobWithMetadata[];
        for (const [index, claimed] of claimedJobs.entries()) {
          // A fetch that was under way when stop() was called still hands over its jobs: those
          // not yet run are failed for retry, as pg-boss's own shutdown does with unfinished ones.
          if (stopping) {
            for (const left of claimedJobs.slice(index)) await boss.fail(job.name, left.id, { message: 'the job engine stopped before the job ran' });
            break;
          }
          const attempt = claimed.retryCount + 1;
          try {
            await job.handle(job.payload.parse(claimed.data), { jobId: claimed.id, attempt });
          } catch (error) {
            const message = error instanceof Error ? error.message : String(error);
            logger.warn({ err: error, job: job.name, jobId: claimed.id, attempt }, 'job failed; it is retried until its retry limit');
            await boss.fail(job.name, claimed.id, { message });
            if (attempt > job.retryLimit && options.onGaveUp) {
              await options.onGaveUp({ job: job.name, jobId: claimed.id, attempts: attempt, error: message }).catch((alertError: unknown) => {
                logger.error({ err: alertError, job: job.name, jobId: claimed.id }, 'could not record the alert for a job that gave up');
              });
            }
          }
          options.onRunEnded?.(job.name);
        }
      } finally {
        handlersRunning--;
      }
    });
  }

  return {
    async enqueue(name, payload, enqueueOptions = {}) {
      const job = jobs.get(name);
      if (!job) throw new Error(`unknown job "${name}"`);
      if (enqueueOptions.singletonKey && job.policy !== 'stately' && job.policy !== 'short') throw new Error(`job "${name}" is not stately or short; a singleton key would not deduplicate it`);
      const data = job.payload.parse(payload) as object;
      return boss.send(name, data, {
        ...(enqueueOptions.tx ? { db: toPgBossDb(enqueueOptions.tx) } : {}),
        ...(enqueueOptions.singletonKey ? { singletonKey: enqueueOptions.singletonKey } : {}),
        ...(enqueueOptions.startAfter ? { startAfter: enqueueOptions.startAfter } : {}),
      });
    },
    async stop() {
      stopping = true;
      await boss.stop({ graceful: true, wait: true, timeout: STOP_TIMEOUT_MS });
      // pg-boss's stop returns while a worker's fetch is still under way (it counts only jobs
      // already handed over), and it completes or fails a batch without awaiting the query. The
      // caller closes the database next, so this waits until none of that is left.
      const idle = await waitUntilIdle(() => handlersRunning === 0 && bossDb.inFlight() === 0, SETTLE_TIMEOUT_MS);
      if (!idle) logger.error({ handlersRunning, queries: bossDb.inFlight() }, 'the job engine stopped with work still running');
    },
  };
}

/**
 * Jobs left 'active' by a process that stopped without finishing them (a crash, SIGKILL). Only
 * looked for where this process is the only one (the embedded database is locked): there they
 * cannot belong to anyone alive, and failing them lets their retries run now instead of after
 * expiry. A stately job's active row would otherwise hold up its queue until it expires.
 */
async function findAbandonedJobs(db: Database, names: string[]): Promise<Map<string, string[]>> {
  const active = await db.query<{ name: string; id: string }>("SELECT name, id FROM pgboss.job WHERE name = ANY($1::text[]) AND state = 'active'", [names]);
  const byName = new Map<string, string[]>();
  for (const { name, id } of active.rows) byName.set(name, [...(byName.get(name) ?? []), id]);
  return byName;
}

async function failAbandonedJobs(boss: PgBoss, name: string, ids: readonly string[], logger: Logger): Promise<void> {
  if (ids.length === 0) return;
  for (const id of ids) await boss.fail(name, id, { message: 'the process running it stopped before it finished' });
  logger.warn({ job: name, count: ids.length }, 'jobs left active by a stopped process were failed for retry');
}

/**
 * Creates the job's queue, or brings an existing one in line with the catalogue: pg-boss takes
 * retries and expiry from the queue row, and `createQueue` leaves an existing row unchanged.
 */
async function ensureQueue(boss: PgBoss, current: PgBoss.QueueResult | undefined, options: PgBoss.Queue): Promise<void> {
  if (current) {
    const same = current.policy === options.policy && current.retryLimit === options.retryLimit && current.retryDelay === options.retryDelay && current.retryBackoff === options.retryBackoff && current.expireInSeconds === options.expireInSeconds;
    if (!same) await boss.updateQueue(options.name, options);
    return;
  }
  for (let attempt = 1; ; attempt++) {
    try {
      await boss.createQueue(options.name, options);
      break;
    } catch (error) {
      // Two processes creating the same new queue at the same instant can deadlock inside
      // pg-boss's create_queue; PostgreSQL aborts one, and by then the other has created it.
      if ((error as { code?: string }).code !== '40P01' || attempt === 3) throw error;
    }
  }
  // Another process may have created it first, with an older catalogue's options.
  await boss.updateQueue(options.name, options);
}
