import { z } from 'zod';
import { deleteExpiredIdempotencyKeys } from '../db/repositories/idempotency-key-repository.ts';
import type { ServiceContext } from '../services/service-context.ts';
import { defineJob } from './job-definition.ts';

/**
 * Idempotency keys whose IDEMPOTENCY_KEY_TTL_HOURS are over are forgotten. A request that meets an
 * expired key before this runs takes it over anyway (claimIdempotencyKey): this only keeps the
 * table at about a day of keys.
 */
export const deleteExpiredIdempotencyKeysJob = (ctx: Pick<ServiceContext, 'db' | 'clock'>) =>
  defineJob({
    name: 'delete-expired-idempotency-keys',
    description: 'Deletes API idempotency keys (and their kept answers) older than IDEMPOTENCY_KEY_TTL_HOURS',
    payload: z.object({}).passthrough(),
    retryLimit: 3,
    retryDelaySeconds: 60,
    expireInSeconds: 300,
    cron: '17 * * * *',
    handle: async () => {
      await deleteExpiredIdempotencyKeys(ctx.db, ctx.clock.now());
    },
  });
