import type { Subscription } from '@paypal/paypal-server-sdk';
import { listProductPlans } from './paypal-plan-catalogue.ts';
import type { PaypalSdkCalls } from './paypal-sdk-calls.ts';

/** The subscriptions PayPal lists per page, at most. */
export const SUBSCRIPTIONS_PAGE_SIZE = 20;

/**
 * One page (1-based) of the subscriptions of recur's billing plans: PayPal lists subscriptions
 * only by plan, so every plan of recur's product is asked for at once. `last`: no page follows.
 */
export async function listRecurSubscriptionsPage(sdk: PaypalSdkCalls, page: number, statuses?: readonly string[]): Promise<{ subscriptions: Subscription[]; last: boolean }> {
  const planIds = (await listProductPlans(sdk)).flatMap((plan) => (plan.id ? [plan.id] : []));
  if (planIds.length === 0) return { subscriptions: [], last: true };
  const found = (await sdk.listSubscriptions({ planIds, ...(statuses ? { statuses } : {}), page, pageSize: SUBSCRIPTIONS_PAGE_SIZE })).subscriptions ?? [];
  return { subscriptions: found, last: found.length < SUBSCRIPTIONS_PAGE_SIZE };
}

/** Every subscription of recur's plans (in `statuses`, when given). */
export async function listAllRecurSubscriptions(sdk: PaypalSdkCalls, statuses?: readonly string[]): Promise<Subscription[]> {
  const all: Subscription[] = [];
  for (let page = 1; ; page++) {
    const { subscriptions, last } = await listRecurSubscriptionsPage(sdk, page, statuses);
    all.push(...subscriptions);
    if (last) return all;
  }
}
