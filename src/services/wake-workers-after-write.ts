import { DELIVER_NOTIFICATIONS, DELIVER_NOTIFICATIONS_KEY } from '../jobs/deliver-notifications.ts';
import type { ServiceContext } from './service-context.ts';

/**
 * A write through the API, a page or a notice link may have queued notices (a cancellation's
 * confirmation, which the customer is told is on its way) and recorded events for the shop: both
 * workers look now instead of at their next minute. Coalesced: the delivery worker runs one pass
 * at a time, and the notices' job is queued once until it runs (its singleton key).
 */
export function wakeWorkersAfterWrite(ctx: Pick<ServiceContext, 'jobs' | 'outgoingWebhooks'>): void {
  ctx.outgoingWebhooks?.wake?.();
  // The job's schedule is the safety net: a failed enqueue fails nothing.
  void ctx.jobs?.enqueue(DELIVER_NOTIFICATIONS, {}, { singletonKey: DELIVER_NOTIFICATIONS_KEY }).catch(() => null);
}
