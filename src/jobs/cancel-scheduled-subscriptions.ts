import { z } from 'zod';
import type { ServiceContext } from '../services/service-context.ts';
import { cancelScheduledSubscriptions } from '../services/subscription-changes/cancel-scheduled-subscriptions.ts';
import { endScheduledCancels } from '../services/subscription-changes/end-scheduled-cancels.ts';
import { defineJob } from './job-definition.ts';
import { onNoticesSchedule } from './on-notices-schedule.ts';

export const CANCEL_SCHEDULED_SUBSCRIPTIONS = 'cancel-scheduled-subscriptions';

/**
 * On the notices' schedule (NOTICES_CRON, every 5 minutes by default) and when the sandbox clock
 * moves: asks the provider again for a cancel the customer's request could not get through, and
 * ends in recur a subscription so cancelled with the first run after its paid period.
 */
export const cancelScheduledSubscriptionsJob = (ctx: ServiceContext) =>
  defineJob({
    name: CANCEL_SCHEDULED_SUBSCRIPTIONS,
    description: 'Cancels at the provider the subscriptions recur holds set to cancel at period end (PayPal) where the request could not, and ends them in recur when the paid period is over',
    payload: z.object({}).passthrough(),
    ...onNoticesSchedule(ctx),
    handle: async () => {
      const now = ctx.clock.now();
      const { failed } = await cancelScheduledSubscriptions(ctx, now);
      const ending = await endScheduledCancels(ctx, now);
      failed.push(...ending.failed);
      // Failing the run retries it and shows the reason in the job's record.
      if (failed.length > 0) throw new Error(`could not cancel or end ${failed.length} subscription(s) at the end of their period: ${failed.join('; ')}`);
    },
  });
