import { z } from 'zod';
import { settlePendingRefunds } from '../services/refunds/settle-pending-refunds.ts';
import type { ServiceContext } from '../services/service-context.ts';
import { defineJob } from './job-definition.ts';

/** Every five minutes: refunds recur has not heard the end of are asked after again (ADR 0038). */
export const settlePendingRefundsJob = (ctx: ServiceContext) =>
  defineJob({
    name: 'settle-pending-refunds',
    description: "Asks the provider again about refunds still pending (with the refund's own idempotency key) and records the answer",
    payload: z.object({}).passthrough(),
    retryLimit: 3,
    retryDelaySeconds: 60,
    expireInSeconds: 300,
    cron: '*/5 * * * *',
    handle: async () => {
      await settlePendingRefunds(ctx);
    },
  });
