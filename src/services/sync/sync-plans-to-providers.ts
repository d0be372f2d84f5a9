import { getPlanName, type Plan, type PlanLocale } from '../../domain/plan.ts';
import type { ProviderOperations } from '../../providers/payments/provider-operations.ts';
import { lookupKeyForPlan } from './plan-for-price.ts';

export type PlanSyncResult = {
  planId: string;
  lookupKey: string;
  productId: string;
  priceId: string;
  product: 'found' | 'created';
  /** replaced: the amount, currency or interval changed; a new price took over the lookup key. */
  price: 'found' | 'created' | 'replaced';
};

/**
 * Makes Stripe sell the catalogue: one product per plan and one recurring price per plan, found
 * again by the lookup key `recur_<plan>`, so running it twice creates nothing. Stripe prices are
 * immutable: a changed amount, currency or interval gets a new price that takes the lookup key
 * over (existing subscriptions keep their old price). Creates carry deterministic idempotency keys.
 * A Stripe product has one name for every customer (hosted checkout, invoices, billing portal), so
 * it gets the plan's name in the shop's DEFAULT_LOCALE: the language the shop set for customers it
 * knows no better about.
 */
export async function syncPlansToProvider(gateway: ProviderOperations, plans: readonly Plan[], locale: PlanLocale): Promise<PlanSyncResult[]> {
  const results: PlanSyncResult[] = [];
  for (const plan of plans) {
    const lookupKey = lookupKeyForPlan(plan.id);
    const existing = await gateway.findPriceByLookupKey(lookupKey);
    const matches =
      existing && existing.amountMinor === plan.amountMinor && existing.currency === plan.currency && existing.interval === plan.interval && (existing.trialDays === null || existing.trialDays === plan.trialDays);
    if (existing && matches) {
      results.push({ planId: plan.id, lookupKey, productId: existing.productId, priceId: existing.id, product: 'found', price: 'found' });
      continue;
    }
    const product = existing ? { id: existing.productId, created: false } : await gateway.findOrCreateProduct(plan.id, getPlanName(plan, locale));
    const price = await gateway.createPrice({
      productId: product.id,
      lookupKey,
      amountMinor: plan.amountMinor,
      currency: plan.currency,
      interval: plan.interval,
      trialDays: plan.trialDays,
      idempotencyKey: `recur:plans-sync:price:${plan.id}:${plan.amountMinor}:${plan.currency}:${plan.interval}`,
    });
    results.push({ planId: plan.id, lookupKey, productId: product.id, priceId: price.id, product: product.created ? 'created' : 'found', price: existing ? 'replaced' : 'created' });
  }
  return results;
}
