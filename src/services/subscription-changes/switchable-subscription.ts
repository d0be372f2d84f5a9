import type { Plan } from '../../domain/plan.ts';
import { conflict } from '../../shared/errors.ts';
import type { ServiceContext } from '../service-context.ts';
import { requireCatalogPlan, requireStripePrice } from './stripe-price-of-plan.ts';
import { findStripeSubscriptionTarget, type StripeSubscriptionTarget } from './stripe-subscription-target.ts';

export type PlanSwitch = StripeSubscriptionTarget & { from: Plan; to: Plan; fromPriceId: string; toPriceId: string };

const SWITCHABLE = new Set(['active', 'trialing']);

/** A switch recur can ask Stripe for: another catalogue plan, on a subscription that is running. */
export async function findPlanSwitch(ctx: ServiceContext, subscriptionId: string, planId: string): Promise<PlanSwitch> {
  const target = await findStripeSubscriptionTarget(ctx, subscriptionId);
  const to = requireCatalogPlan(ctx.config, planId);
  const { subscription } = target;
  if (subscription.planId === to.id) throw conflict(`subscription "${subscription.id}" is already on plan "${to.id}"`);
  if (!SWITCHABLE.has(subscription.status)) throw conflict(`subscription "${subscription.id}" is ${subscription.status}; only an active or trialing subscription can switch plans`);
  const from = requireCatalogPlan(ctx.config, subscription.planId);
  const [fromPriceId, toPriceId] = [await requireStripePrice(target.stripe.gateway, from), await requireStripePrice(target.stripe.gateway, to)];
  return { ...target, from, to, fromPriceId, toPriceId };
}
