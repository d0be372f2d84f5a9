import { z } from 'zod';
import { scheduleDueNotices } from '../notifications/schedule-due-notices.ts';
import type { ServiceContext } from '../services/service-context.ts';
import { DELIVER_NOTIFICATIONS, DELIVER_NOTIFICATIONS_KEY } from './deliver-notifications.ts';
import { defineJob } from './job-definition.ts';
import { onNoticesSchedule } from './on-notices-schedule.ts';

export const SCHEDULE_NOTICES = 'schedule-notices';

/**
 * Looks for the reminders, dunning follow-ups and the monthly report that are due (NOTICES_CRON,
 * "off": never) and writes them into the outbox; the delivery job sends them. Stately, so runs do
 * not pile up behind a slow one; two runs at once would still write each notice once (its key).
 */
export const scheduleNoticesJob = (ctx: ServiceContext) =>
  defineJob({
    name: SCHEDULE_NOTICES,
    description: 'Writes the trial, renewal and dunning notices that are due, and the monthly report, into the outbox',
    payload: z.object({}).passthrough(),
    ...onNoticesSchedule(ctx),
    handle: async () => {
      const { written } = await scheduleDueNotices(ctx, ctx.clock.now());
      // New notices go out now rather than at the delivery job's next minute. They are written:
      // a failed wake-up must not fail (and repeat) this run, the minutely schedule sends them.
      if (written > 0) await ctx.jobs?.enqueue(DELIVER_NOTIFICATIONS, {}, { singletonKey: DELIVER_NOTIFICATIONS_KEY }).catch(() => null);
    },
  });
