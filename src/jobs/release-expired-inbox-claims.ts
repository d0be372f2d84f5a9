import { z } from 'zod';
import type { ServiceContext } from '../services/service-context.ts';
import { defineJob } from './job-definition.ts';

/**
 * A worker that dies while processing a webhook leaves its inbox row in 'processing'. Once the
 * claim's lease has lapsed the row goes back to 'failed' with an immediate retry time, so the
 * event is processed again instead of being lost. The inbox job calls this before each drain, so
 * a crashed worker's rows come back within a minute of their lease; this schedule is the backstop.
 * `all`: only where no other process can hold a claim (the embedded database, locked at start).
 */
export async function releaseExpiredInboxClaims(ctx: Pick<ServiceContext, 'db' | 'clock'>, options: { all?: boolean } = {}): Promise<number> {
  const now = ctx.clock.now();
  const result = await ctx.db.query(
    `UPDATE webhook_inbox
        SET status = 'failed', next_attempt_at = $1, lease_expires_at = NULL,
            last_error = $2
      WHERE status = 'processing' AND ($3 OR lease_expires_at < $1)`,
    [
      now,
      options.all ? 'the process that was processing it stopped; released for retry at start-up' : 'processing did not finish before its lease expired; released for retry',
      options.all === true,
    ],
  );
  return result.rowCount;
}

export const releaseExpiredInboxClaimsJob = (ctx: Pick<ServiceContext, 'db' | 'clock'>) =>
  defineJob({
    name: 'release-expired-inbox-claims',
    description: 'Hands webhook inbox rows whose processing claim expired back to the worker',
    payload: z.object({}).passthrough(),
    retryLimit: 3,
    retryDelaySeconds: 30,
    expireInSeconds: 60,
    cron: '*/5 * * * *',
    handle: async () => {
      await releaseExpiredInboxClaims(ctx);
    },
  });
