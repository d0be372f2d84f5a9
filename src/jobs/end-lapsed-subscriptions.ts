import { z } from 'zod';
import type { ServiceContext } from '../services/service-context.ts';
import { endLapsedSubscriptions } from '../services/subscription-changes/end-lapsed-subscriptions.ts';
import { defineJob } from './job-definition.ts';
import { onNoticesSchedule } from './on-notices-schedule.ts';

export const END_LAPSED_SUBSCRIPTIONS = 'end-lapsed-subscriptions';

/** On the notices' schedule (NOTICES_CRON): the dunning steps and the end they announce run on one cadence. */
export const endLapsedSubscriptionsJob = (ctx: ServiceContext) =>
  defineJob({
    name: END_LAPSED_SUBSCRIPTIONS,
    description: 'Cancels at the provider the subscriptions it suspended for failed payments once the dunning sequence is over (PayPal)',
    payload: z.object({}).passthrough(),
    ...onNoticesSchedule(ctx),
    handle: async () => {
      const { failed } = await endLapsedSubscriptions(ctx, ctx.clock.now());
      // Failing the run retries it and shows the reason in the job's record.
      if (failed.length > 0) throw new Error(`could not end ${failed.length} lapsed subscription(s): ${failed.join('; ')}`);
    },
  });
