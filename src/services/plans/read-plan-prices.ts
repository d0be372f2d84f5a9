import type { Plan } from '../../domain/plan.ts';
import type { ProviderOperations } from '../../providers/payments/provider-operations.ts';
import { lookupKeyForPlan } from '../sync/plan-for-price.ts';

/**
 * Where a plan is sold, as the provider says (checkout finds a price the same way: by the lookup
 * key `recur_<plan>` that `plans sync` and a key-less `recur start` give it).
 * differs: the provider's price no longer matches the catalogue (the next sync replaces it).
 */
export type PlanPriceState = { state: 'synced'; priceId: string; lookupKey: string } | { state: 'differs'; priceId: string; lookupKey: string } | { state: 'not_synced'; lookupKey: string };

export async function readPlanPrices(gateway: Pick<ProviderOperations, 'findPriceByLookupKey'>, plans: readonly Plan[]): Promise<Map<string, PlanPriceState>> {
  const states = new Map<string, PlanPriceState>();
  for (const plan of plans) {
    const lookupKey = lookupKeyForPlan(plan.id);
    const price = await gateway.findPriceByLookupKey(lookupKey);
    if (!price) states.set(plan.id, { state: 'not_synced', lookupKey });
    else {
      const matches = price.amountMinor === plan.amountMinor && price.currency === plan.currency && price.interval === plan.interval && (price.trialDays === null || price.trialDays === plan.trialDays);
      states.set(plan.id, { state: matches ? 'synced' : 'differs', priceId: price.id, lookupKey });
    }
  }
  return states;
}
