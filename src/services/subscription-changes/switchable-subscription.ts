import type { Plan } from '../../domain/plan.ts';
import { decidePlanSwitch, type PlanSwitchRule } from '../../domain/plan-switch-rule.ts';
import { mapProviderStatus } from '../../domain/subscription-status.ts';
import type { PriceChangeStart } from '../../providers/payments/subscription-change-operations.ts';
import { conflict, RecurError } from '../../shared/errors.ts';
import type { ServiceContext } from '../service-context.ts';
import { requireCatalogPlan, requireProviderPrice } from './price-of-plan.ts';
import { findSubscriptionTarget, type SubscriptionTarget } from './subscription-target.ts';

export type PlanSwitch = SubscriptionTarget & {
  from: Plan;
  to: Plan;
  fromPriceId: string;
  toPriceId: string;
  /** The subscription as Stripe holds it now, and what a switch does to it. */
  start: PriceChangeStart;
  rule: Extract<PlanSwitchRule, { allowed: true }>;
};

/**
 * A switch recur can ask Stripe for: another catalogue plan, on a subscription whose state at
 * Stripe (not recur's row, which may wait for a webhook) allows it. The preview and the switch
 * both come through here, so they refuse alike and expect the same outcome.
 */
export async function findPlanSwitch(ctx: ServiceContext, subscriptionId: string, planId: string): Promise<PlanSwitch> {
  const target = await findSubscriptionTarget(ctx, subscriptionId);
  const to = requireCatalogPlan(ctx.config, planId);
  const { subscription } = target;
  if (subscription.planId === to.id) throw conflict(`subscription "${subscription.id}" is already on plan "${to.id}"`);
  const start = await target.provider.gateway.readPriceChangeStart(subscription.providerSubscriptionId);
  const status = mapProviderStatus(subscription.provider, start.subscription.status);
  if (!status.ok) throw new RecurError('provider_failure', `${target.provider.name} answered an unknown subscription status "${start.subscription.status}"`);
  // A provider that cannot prorate switches at the next billing, and the preview says so: never an approximated proration.
  const rule = decidePlanSwitch({ status: status.status, cancelAtPeriodEnd: start.subscription.cancelAtPeriodEnd }, { prorates: target.provider.capabilities.prorateOnPlanSwitch });
  if (!rule.allowed) throw conflict(`subscription "${subscription.id}" ${rule.why}`);
  const from = requireCatalogPlan(ctx.config, subscription.planId);
  const [fromPriceId, toPriceId] = [await requireProviderPrice(target.provider.gateway, from), await requireProviderPrice(target.provider.gateway, to)];
  return { ...target, from, to, fromPriceId, toPriceId, start, rule };
}
