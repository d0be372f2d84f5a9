import { findLapsedSubscriptionIds } from '../../db/repositories/lapsed-subscription-repository.ts';
import { addDays } from '../../domain/calendar-period.ts';
import { LAPSED_PROVIDER_STATUSES } from '../../domain/subscription-status.ts';
import type { ServiceContext } from '../service-context.ts';
import { cancelSubscription } from './cancel-subscription.ts';

export const LAPSE_ACTOR = 'system:dunning';

/**
 * Cancels, at the provider and at once, the subscriptions the provider stopped collecting and will
 * never end itself (PayPal's suspension for failed payments), the day after the dunning sequence's
 * final warning ("we will end your subscription"): what Stripe does by itself after its last retry.
 * Entitlement ended earlier, with the past-due grace. One failure does not stop the others; the
 * caller hears of it (`failed`), and the next run tries again.
 */
export async function endLapsedSubscriptions(ctx: ServiceContext, now: Date): Promise<{ ended: string[]; failed: string[] }> {
  const days = ctx.config.DUNNING_SCHEDULE_DAYS;
  const lastStep = days[days.length - 1] ?? 0;
  const ids = await findLapsedSubscriptionIds(ctx.db, { providerStatuses: LAPSED_PROVIDER_STATUSES, pastDueAtOrBefore: addDays(now, -(lastStep + 1)) });
  const ended: string[] = [];
  const failed: string[] = [];
  for (const subscriptionId of ids) {
    try {
      await cancelSubscription(ctx, { subscriptionId, at: 'now' }, LAPSE_ACTOR);
      ended.push(subscriptionId);
    } catch (error) {
      failed.push(`${subscriptionId}: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  return { ended, failed };
}
