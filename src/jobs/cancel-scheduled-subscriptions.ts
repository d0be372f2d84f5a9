import { z } from 'zod';
import type { ServiceContext } from '../services/service-context.ts';
import { cancelScheduledSubscriptions } from '../services/subscription-changes/cancel-scheduled-subscriptions.ts';
import { defineJob } from './job-definition.ts';

export const CANCEL_SCHEDULED_SUBSCRIPTIONS = 'cancel-scheduled-subscriptions';

/**
 * On the notices' schedule (NOTICES_CRON, every 5 minutes by default), well inside
 * SCHEDULED_CANCEL_LEAD_MINUTES: a cancel due before the next billing is made by a run before it.
 */
export const cancelScheduledSubscriptionsJob = (ctx: ServiceContext) =>
  defineJob({
    name: CANCEL_SCHEDULED_SUBSCRIPTIONS,
    description: 'Cancels at the provider, shortly before the next billing, the subscriptions recur holds set to cancel at period end (PayPal)',
    payload: z.object({}).passthrough(),
    policy: 'stately',
    retryLimit: 2,
    retryDelaySeconds: 60,
    expireInSeconds: 15 * 60,
    ...(ctx.config.NOTICES_CRON === 'off' ? {} : { cron: ctx.config.NOTICES_CRON }),
    handle: async () => {
      const { failed } = await cancelScheduledSubscriptions(ctx, ctx.clock.now());
      // Failing the run retries it and shows the reason in the job's record.
      if (failed.length > 0) throw new Error(`could not cancel ${failed.length} subscription(s) at the end of their period: ${failed.join('; ')}`);
    },
  });
