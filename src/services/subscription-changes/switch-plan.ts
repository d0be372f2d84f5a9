import type { SubscriptionRecord } from '../../db/repositories/subscription-repository.ts';
import type { ProviderInvoiceSummary } from '../../providers/payments/subscription-change-operations.ts';
import { conflict } from '../../shared/errors.ts';
import { requireCapability } from '../require-payment-provider.ts';
import type { Actor, ServiceContext } from '../service-context.ts';
import { recordSubscriptionChange } from './record-subscription-change.ts';
import { stateVersion } from './subscription-target.ts';
import { findPlanSwitch } from './switchable-subscription.ts';

/** How long a preview's proration_date is honoured: long enough to show and confirm, short enough that the amount is still right. */
export const PREVIEW_VALID_MS = 60 * 60 * 1000;
// Stripe's clock and recur's may differ a little.
const CLOCK_SKEW_MS = 5 * 60 * 1000;

/** `invoice`: the one the switch made, null when it made none (a trial continues). */
export type PlanSwitched = { subscription: SubscriptionRecord; invoice: ProviderInvoiceSummary | null };

/**
 * Switches a Stripe subscription to another plan with proration, charged at once (a trialing one
 * keeps its trial and is charged the new plan at its end; see decidePlanSwitch). With the
 * preview's proration_date the customer pays exactly what the preview showed; a preview from an
 * earlier period or older than an hour is refused (preview again).
 */
export async function switchPlan(ctx: ServiceContext, input: { subscriptionId: string; planId: string; prorationDate: Date | null }, actor: Actor): Promise<PlanSwitched> {
  // A proration_date asks for proration: refused (409) by a provider that cannot prorate, not ignored.
  const change = await findPlanSwitch(ctx, input.subscriptionId, input.planId);
  if (input.prorationDate) requireCapability(change.provider, 'prorateOnPlanSwitch');
  const { subscription } = change;
  const now = ctx.clock.now().getTime();
  if (input.prorationDate) {
    const at = input.prorationDate.getTime();
    const periodStart = change.start.subscription.currentPeriodStart?.getTime() ?? 0;
    if (at < periodStart || at < now - PREVIEW_VALID_MS || at > now + CLOCK_SKEW_MS) {
      throw conflict(`proration_date ${input.prorationDate.toISOString()} is stale (not within the current period and the last hour): preview the switch again`);
    }
  }
  const from = `${change.fromPriceId}->${change.toPriceId}`;
  const when = input.prorationDate ? String(Math.floor(input.prorationDate.getTime() / 1000)) : 'now';
  // A retried request starts from the same state and reuses the key; a later switch back starts from another.
  const idempotencyKey = `recur:switch:${subscription.id}:${from}:${when}:v${stateVersion(subscription)}`;
  const changed = await change.provider.gateway.changePrice(
    { start: change.start, priceId: change.toPriceId, prorationDate: input.prorationDate },
    idempotencyKey,
  );
  const recorded = await recordSubscriptionChange(
    ctx,
    { provider: change.provider, customerId: subscription.customerId, change: changed, action: 'plan_switched', details: { fromPlan: change.from.id, toPlan: change.to.id, prorationDate: input.prorationDate } },
    actor,
  );
  return { subscription: recorded, invoice: changed.invoice };
}
