import type { CustomerRecord } from '../../db/repositories/customer-repository.ts';
import { listSubscriptionsOfCustomer } from '../../db/repositories/subscription-repository.ts';
import { decideNewSubscriptionTerms, type NewSubscriptionTerms, type PastSubscription } from '../../domain/new-subscription-terms.ts';
import { RecurError } from '../../shared/errors.ts';
import { recordPaidCheckouts } from '../checkout/record-paid-checkouts.ts';
import type { ServiceContext } from '../service-context.ts';

export type AllowedSubscriptionTerms = Extract<NewSubscriptionTerms, { kind: 'allowed' }>;

/** What the shop can do with the subscription it already has, said in the refusal. */
function nextStepFor(live: PastSubscription): string {
  if (live.provider !== 'stripe') return `it is billed by ${live.provider}; cancel it there before starting another`;
  if (live.status === 'trialing' || live.status === 'active') return `change its plan with POST /v1/subscriptions/${live.id}/switch`;
  if (live.status === 'incomplete') return `its first payment is still under way; once it is active, change its plan with POST /v1/subscriptions/${live.id}/switch`;
  return `once it is active again, change its plan with POST /v1/subscriptions/${live.id}/switch (or cancel it first)`;
}

/** The refusal of a second subscription: 409 naming the one the customer has, in words and as `details.subscription_id`. */
function refuseSecondSubscription(customerExternalId: string, live: PastSubscription): RecurError {
  const article = /^[aeiou]/.test(live.status) ? 'an' : 'a';
  const message = `customer "${customerExternalId}" already has ${article} ${live.status} subscription (${live.id}); ${nextStepFor(live)}`;
  return new RecurError('conflict', message, { details: { subscription_id: live.id } });
}

/**
 * The one place that applies recur's rule for a new subscription (see new-subscription-terms.ts)
 * to a customer's history as recur's rows hold it, for every route that starts one. A checkout
 * paid a moment ago is recorded first (record-paid-checkouts.ts). A live subscription is refused
 * here; otherwise the caller gets whether the free trial is granted.
 */
export async function requireNewSubscriptionTerms(ctx: ServiceContext, customer: Pick<CustomerRecord, 'id' | 'externalId'>): Promise<AllowedSubscriptionTerms> {
  if (ctx.payments) await recordPaidCheckouts(ctx, customer.id);
  const history = await listSubscriptionsOfCustomer(ctx.db, customer.id);
  const terms = decideNewSubscriptionTerms(history, { trialOncePerCustomer: ctx.config.catalogue.trial_once_per_customer });
  if (terms.kind === 'refused') throw refuseSecondSubscription(customer.externalId, terms.live);
  return terms;
}
