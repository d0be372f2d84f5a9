import type { z } from 'zod';
import type { Queryable } from '../db/database.ts';

export type JobContext = {
  jobId: string;
  /** 1 on the first try. */
  attempt: number;
};

/**
 * One entry of the job catalogue: a name, the schema its payload must satisfy, how it retries,
 * and what it does. Scheduled jobs add a cron expression (UTC).
 */
export type JobDefinition<Payload = unknown> = {
  name: string;
  description: string;
  payload: z.ZodType<Payload>;
  retryLimit: number;
  retryDelaySeconds: number;
  expireInSeconds: number;
  cron?: string;
  /**
   * 'stately': at most one queued and one running job per singleton key (for "do this once,
   * soon" work such as a per-subscription refresh); 'short': at most one queued per key, however
   * many run (for a pass over rows claimed with SKIP LOCKED: a run left active by a killed process
   * must not hold up the next one); 'standard' (default): no such limit.
   */
  policy?: 'standard' | 'short' | 'stately';
  handle(payload: Payload, context: JobContext): Promise<void>;
};

// Keeps each definition's payload type while letting the catalogue hold them in one array.
export function defineJob<Payload>(definition: JobDefinition<Payload>): JobDefinition<Payload> {
  return definition;
}

export type EnqueueOptions = {
  /** Enqueue inside this transaction: the job exists only if the transaction commits. */
  tx?: Queryable;
  /** On a 'stately' or 'short' job: a job with the same key that is still queued is not queued again. */
  singletonKey?: string;
  startAfter?: Date;
};

/** A job that failed on its last allowed attempt: pg-boss will not run it again. */
export type JobFailure = { job: string; jobId: string; attempts: number; error: string };
