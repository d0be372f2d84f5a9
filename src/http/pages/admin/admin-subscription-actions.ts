import type { SubscriptionRecord } from '../../../db/repositories/subscription-repository.ts';
import type { Plan } from '../../../domain/plan.ts';
import { isEndedAtProvider } from '../../../domain/subscription-status.ts';

/** What the dashboard offers for a subscription; the services refuse anything else alike (409). */
export type AdminSubscriptionActions = {
  cancelAtPeriodEnd: boolean;
  cancelNow: boolean;
  resume: boolean;
  switchTo: { id: string; name: string }[];
};

/** Set to end at its period's end, by the provider or by recur's own scheduled cancel. */
export const isEnding = (subscription: SubscriptionRecord): boolean => subscription.cancelAtPeriodEnd || subscription.scheduledCancel !== null;

export function adminSubscriptionActions(subscription: SubscriptionRecord, plans: readonly Plan[]): AdminSubscriptionActions {
  const live = subscription.status !== 'canceled';
  const ending = isEnding(subscription);
  // recur's own cancel at period end, once carried out at a provider that cancels at once (PayPal), cannot be undone there.
  const undoable = !(subscription.scheduledCancel && isEndedAtProvider(subscription.provider, subscription.providerStatus));
  return {
    cancelAtPeriodEnd: live && !ending && subscription.status !== 'incomplete',
    cancelNow: live,
    resume: live && undoable && (ending || subscription.status === 'paused'),
    switchTo: live ? plans.filter((plan) => plan.id !== subscription.planId).map((plan) => ({ id: plan.id, name: plan.name })) : [],
  };
}
