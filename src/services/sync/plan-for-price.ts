import { lookupKeyForPlan, PRICE_LOOKUP_PREFIX, type Plan } from '../../domain/plan.ts';

export { lookupKeyForPlan, PRICE_LOOKUP_PREFIX } from '../../domain/plan.ts';

/**
 * Which catalogue plan a Stripe price sells: by the lookup key `recur plans sync` gives it, or, for
 * prices made by hand, by the id configured in the catalogue. null: not one of recur's plans.
 */
export function planForPrice(plans: readonly Plan[], price: { lookupKey: string | null; priceId: string | null }): Plan | null {
  if (price.lookupKey?.startsWith(PRICE_LOOKUP_PREFIX)) {
    const byKey = plans.find((plan) => lookupKeyForPlan(plan.id) === price.lookupKey);
    if (byKey) return byKey;
  }
  return plans.find((plan) => price.priceId !== null && plan.providerPriceIds.stripe === price.priceId) ?? null;
}
