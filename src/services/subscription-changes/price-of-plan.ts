import { findProviderPriceId, type Plan } from '../../domain/plan.ts';
import type { ProviderOperations } from '../../providers/payments/provider-operations.ts';
import { RecurError, validationFailed } from '../../shared/errors.ts';
import type { ServiceSettings } from '../service-context.ts';
import { lookupKeyForPlan } from '../sync/plan-for-price.ts';

export function requireCatalogPlan(config: ServiceSettings, planId: string): Plan {
  const plan = config.catalogue.plans.find((candidate) => candidate.id === planId);
  if (!plan) throw validationFailed(`plan "${planId}" is not in the catalogue`);
  return plan;
}

/** The Stripe price of a plan, as checkout finds it: the synced lookup key first, then the configured id. */
export async function requireProviderPrice(gateway: ProviderOperations, plan: Plan): Promise<string> {
  const priceId = (await gateway.findPriceByLookupKey(lookupKeyForPlan(plan.id)))?.id ?? findProviderPriceId(plan, 'stripe');
  if (!priceId) throw new RecurError('conflict', `plan "${plan.id}" has no Stripe price yet: run \`recur plans sync\``);
  return priceId;
}
