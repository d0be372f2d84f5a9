import type { CustomerRecord } from '../../db/repositories/customer-repository.ts';
import { givingTime, listPrepaidPeriodsOfCustomer } from '../../db/repositories/prepaid-period-repository.ts';
import { listSubscriptionsOfCustomer } from '../../db/repositories/subscription-repository.ts';
import { decideNewSubscriptionTerms, type NewSubscriptionTerms, type PastSubscription, type Purchase } from '../../domain/new-subscription-terms.ts';
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

/** A subscription checkout while prepaid time runs would charge those days again: auto-renew is the way on. */
function refuseWhilePrepaid(customerExternalId: string, terms: Extract<NewSubscriptionTerms, { kind: 'prepaid_running' }>): RecurError {
  const message = `customer "${customerExternalId}" has paid until ${terms.paidUntil.toISOString()} (prepaid period ${terms.running.id}); turn on auto-renew with POST /v1/customers/${customerExternalId}/auto-renew, whose first charge falls on that date, or prepay more with mode "one_time"`;
  return new RecurError('conflict', message, { details: { prepaid_period_id: terms.running.id, paid_until: terms.paidUntil.toISOString() } });
}

/**
 * The one place that applies recur's rule for a new subscription or prepaid time (see
 * new-subscription-terms.ts) to a customer's history as recur's rows hold it, for every route
 * that starts one. A checkout paid a moment ago is recorded first (record-paid-checkouts.ts). A
 * live subscription is refused here, and a subscription checkout while prepaid time runs;
 * otherwise the caller gets whether the free trial is granted.
 */
export async function requireNewSubscriptionTerms(ctx: ServiceContext, customer: Pick<CustomerRecord, 'id' | 'externalId'>, purchase: Purchase = 'subscription'): Promise<AllowedSubscriptionTerms> {
  if (ctx.payments) await recordPaidCheckouts(ctx, customer.id);
  const history = await listSubscriptionsOfCustomer(ctx.db, customer.id);
  const periods = givingTime(await listPrepaidPeriodsOfCustomer(ctx.db, customer.id));
  const terms = decideNewSubscriptionTerms(history, { trialOncePerCustomer: ctx.config.catalogue.trial_once_per_customer, prepaid: { periods, now: ctx.clock.now() }, purchase });
  if (terms.kind === 'refused') throw refuseSecondSubscription(customer.externalId, terms.live);
  if (terms.kind === 'prepaid_running') throw refuseWhilePrepaid(customer.externalId, terms);
  return terms;
}
