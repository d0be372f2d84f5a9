import type { JobQueue } from '../services/service-context.ts';
import { CANCEL_SCHEDULED_SUBSCRIPTIONS } from './cancel-scheduled-subscriptions.ts';
import { DELIVER_NOTIFICATIONS, DELIVER_NOTIFICATIONS_KEY } from './deliver-notifications.ts';
import { DELIVER_WEBHOOKS, DELIVER_WEBHOOKS_KEY } from './deliver-webhooks.ts';
import { END_LAPSED_SUBSCRIPTIONS } from './end-lapsed-subscriptions.ts';
import { RECORD_LAPSED_ENTITLEMENTS } from './record-lapsed-entitlements.ts';
import { PROCESS_WEBHOOK_INBOX, PROCESS_WEBHOOK_INBOX_KEY } from './process-webhook-inbox.ts';
import { SCHEDULE_NOTICES } from './schedule-notices.ts';

/**
 * Queues at once the jobs whose work depends on the time: the webhook inbox (retries that fell
 * due), the notice scheduler (reminders, dunning), the end of lapsed subscriptions, the cancels
 * recur scheduled at period end, the entitlements that lapsed with time, the outbox delivery and
 * the shop's webhook deliveries (retries that fell due). Their schedules run on
 * the database's real time, so when recur's clock jumps (the development sandbox's clock is moved)
 * they would otherwise wait for their next cron tick, up to NOTICES_CRON's five minutes.
 * All are stately: a run already queued is not queued twice.
 */
export async function runTimeDrivenJobsNow(jobs: JobQueue): Promise<void> {
  await jobs.enqueue(PROCESS_WEBHOOK_INBOX, {}, { singletonKey: PROCESS_WEBHOOK_INBOX_KEY });
  await jobs.enqueue(SCHEDULE_NOTICES, {});
  await jobs.enqueue(END_LAPSED_SUBSCRIPTIONS, {});
  await jobs.enqueue(CANCEL_SCHEDULED_SUBSCRIPTIONS, {});
  await jobs.enqueue(RECORD_LAPSED_ENTITLEMENTS, {});
  await jobs.enqueue(DELIVER_NOTIFICATIONS, {}, { singletonKey: DELIVER_NOTIFICATIONS_KEY });
  await jobs.enqueue(DELIVER_WEBHOOKS, {}, { singletonKey: DELIVER_WEBHOOKS_KEY });
}
