import { z } from 'zod';
import { deleteEndedPortalGrants } from '../db/repositories/portal-repository.ts';
import type { ServiceContext } from '../services/service-context.ts';
import { defineJob } from './job-definition.ts';

const KEEP_LINKS_MS = 7 * 86_400_000;

/**
 * Ended portal sessions open nothing (every read checks the expiry); this only keeps the tables
 * small. Links are kept a week past their hour, so a late second visit still gets a clear page.
 */
export const deleteEndedPortalSessionsJob = (ctx: Pick<ServiceContext, 'db' | 'clock'>) =>
  defineJob({
    name: 'delete-ended-portal-sessions',
    description: 'Deletes ended customer-portal sessions, and portal links a week after they expired',
    payload: z.object({}).passthrough(),
    retryLimit: 3,
    retryDelaySeconds: 60,
    expireInSeconds: 300,
    cron: '23 * * * *',
    handle: async () => {
      await deleteEndedPortalGrants(ctx.db, ctx.clock.now(), KEEP_LINKS_MS);
    },
  });
