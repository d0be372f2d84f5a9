import { z } from 'zod';
import { deliverDueNotifications } from '../notifications/deliver-due-notifications.ts';
import type { ServiceContext } from '../services/service-context.ts';
import { defineJob } from './job-definition.ts';

export const DELIVER_NOTIFICATIONS = 'deliver-notifications';
export const DELIVER_NOTIFICATIONS_KEY = 'outbox';

/**
 * Sends the outbox's due rows every minute, and sooner when something wakes it (the scheduler
 * after writing notices). One pass queued at a time per process group ('short': a pass left active
 * by a killed process does not hold up the next one for the 10 minutes of its expiry); rows are
 * claimed with SKIP LOCKED, so overlapping passes, or a `recur notices deliver` run beside them,
 * never send a row twice.
 */
export const deliverNotificationsJob = (ctx: ServiceContext) =>
  defineJob({
    name: DELIVER_NOTIFICATIONS,
    description: 'Sends due e-mail and SMS notices from the outbox, retrying with backoff',
    payload: z.object({}).passthrough(),
    policy: 'short',
    retryLimit: 2,
    retryDelaySeconds: 30,
    expireInSeconds: 10 * 60,
    cron: '* * * * *',
    handle: async () => {
      if (!ctx.messaging) return;
      await deliverDueNotifications({ ...ctx, messaging: ctx.messaging, random: Math.random });
    },
  });
