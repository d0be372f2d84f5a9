import type { ProviderId } from '../../domain/provider.ts';
import type { SubscriptionRecord } from '../../db/repositories/subscription-repository.ts';
import type { RiskOperations } from '../../providers/payments/risk-operations.ts';
import type { ServiceContext } from '../service-context.ts';
import { runRiskStep } from './run-risk-step.ts';

/**
 * Ends one subscription at its provider now, once per cause (`fraud`, `dispute`). recur's row follows
 * from the provider's webhook (Stripe's customer.subscription.deleted, PayPal's BILLING.SUBSCRIPTION.CANCELLED), like every other subscription change.
 */
export async function cancelSubscriptionForRisk(
  ctx: Pick<ServiceContext, 'db'>,
  gateway: RiskOperations,
  subscription: SubscriptionRecord,
  cause: 'fraud' | 'dispute',
  step: { now: Date; actor: string; reason: string },
): Promise<boolean> {
  const key = `cancel:${subscription.id}:${cause}`;
  return runRiskStep(ctx.db, step.now, {
    key,
    customerId: subscription.customerId,
    actor: step.actor,
    entity: 'subscription',
    entityId: subscription.id,
    action: `cancel_for_${cause}`,
    reason: step.reason,
    perform: () => gateway.cancelSubscriptionNow(subscription.providerSubscriptionId, `recur:${key}`),
    describe: (canceled) => ({ provider_subscription_id: subscription.providerSubscriptionId, provider_status: canceled?.status ?? null }),
  });
}

/** Subscriptions at this provider that still give access or will bill again: the ones its gateway can end. */
export const isLiveAt =
  (provider: ProviderId) =>
  (subscription: SubscriptionRecord): boolean =>
    subscription.provider === provider && subscription.status !== 'canceled';

/** Stripe's live subscriptions (the fraud review acts through Stripe's gateway). */
export const isLive = isLiveAt('stripe');
