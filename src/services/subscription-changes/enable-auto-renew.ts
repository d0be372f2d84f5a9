import { randomUUID } from 'node:crypto';
import { recordAudit } from '../../db/repositories/audit-log-repository.ts';
import { insertCheckoutSession } from '../../db/repositories/checkout-session-repository.ts';
import { findCustomerByExternalId } from '../../db/repositories/customer-repository.ts';
import { givingTime, listPrepaidPeriodsOfCustomer } from '../../db/repositories/prepaid-period-repository.ts';
import type { SubscriptionRecord } from '../../db/repositories/subscription-repository.ts';
import { coverageEnd } from '../../domain/prepaid-period.ts';
import { notFound, RecurError, validationFailed } from '../../shared/errors.ts';
import { requireCapability, requirePaymentProvider } from '../require-payment-provider.ts';
import { shopReturnUrl } from '../checkout/create-checkout.ts';
import type { Actor, ServiceContext } from '../service-context.ts';
import { requireNewSubscriptionTerms } from '../subscriptions/require-new-subscription-terms.ts';
import { ensureProviderCustomer } from './ensure-provider-customer.ts';
import { recordSubscriptionChange } from './record-subscription-change.ts';
import { requireCatalogPlan, requireProviderPrice } from './price-of-plan.ts';

const HOUR_MS = 3_600_000;
/** Stripe: a trial lasts at most 730 days; Checkout wants its trial_end at least 48 hours ahead. */
export const MAX_TRIAL_MS = 730 * 24 * HOUR_MS;
export const MIN_CHECKOUT_TRIAL_MS = 48 * HOUR_MS;

/** `paidUntil` null: the end of the customer's running prepaid time (a one-time checkout). */
export type AutoRenewRequest = { customerExternalId: string; planId: string; paidUntil: Date | null; returnUrl: string | null };
export type AutoRenewOutcome = { kind: 'subscribed'; subscription: SubscriptionRecord } | { kind: 'checkout'; url: string; sessionId: string };

function requirePaidUntilInReach(until: Date, now: Date): void {
  if (until.getTime() <= now.getTime()) throw validationFailed(`paid_until ${until.toISOString()} is not in the future`);
  if (until.getTime() - now.getTime() > MAX_TRIAL_MS) throw validationFailed(`paid_until ${until.toISOString()} is more than 730 days ahead (Stripe's longest trial)`);
}

/** Without paid_until: the end of the prepaid time running now, through any prepayment that follows on. */
async function requireRunningPrepaidEnd(ctx: ServiceContext, customer: { id: string; externalId: string }, now: Date): Promise<Date> {
  const end = coverageEnd(givingTime(await listPrepaidPeriodsOfCustomer(ctx.db, customer.id)), now);
  if (!end) throw new RecurError('no_prepaid_period', `customer "${customer.externalId}" has no prepaid time running: send paid_until, the date the time they paid for ends`);
  return end;
}

/**
 * A customer who paid until X (a prepaid period recur recorded, or outside Stripe) gets a subscription whose trial runs until X, so the
 * first charge falls on X and no time is paid twice. With a default card at Stripe it is created
 * at once; without one the customer confirms a card in a Checkout with the same trial end.
 */
export async function enableAutoRenew(ctx: ServiceContext, request: AutoRenewRequest, actor: Actor): Promise<AutoRenewOutcome> {
  const provider = requirePaymentProvider(ctx, 'stripe');
  requireCapability(provider, 'trialUntilDate');
  const customer = await findCustomerByExternalId(ctx.db, request.customerExternalId);
  if (!customer) throw notFound('customer', request.customerExternalId);
  if (customer.banned) throw new RecurError('forbidden', `customer "${customer.externalId}" is banned`);
  const plan = requireCatalogPlan(ctx.config, request.planId);
  const now = ctx.clock.now();
  if (request.paidUntil) requirePaidUntilInReach(request.paidUntil, now);
  // The same rule as checkout refuses a second live subscription (running prepaid time is what
  // auto-renew follows, so it is allowed here). Its free-trial verdict is left unused on purpose:
  // the "trial" here is time the customer already paid for, not a free trial, and withholding it
  // would charge those days twice. Trial-once still holds, since this route never grants a free day.
  await requireNewSubscriptionTerms(ctx, customer, 'auto_renew');
  const until = request.paidUntil ?? (await requireRunningPrepaidEnd(ctx, customer, now));
  requirePaidUntilInReach(until, now);
  const priceId = await requireProviderPrice(provider.gateway, plan);

  const providerCustomerId = await ensureProviderCustomer(ctx, provider.gateway, customer);
  const metadata = { recur_customer_id: customer.id, recur_plan_id: plan.id };
  if (await provider.gateway.hasDefaultPaymentMethod(providerCustomerId)) {
    const idempotencyKey = `recur:auto-renew:${customer.id}:${priceId}:${Math.floor(until.getTime() / 1000)}`;
    const created = await provider.gateway.createTrialSubscription({ providerCustomerId, priceId, trialEnd: until, metadata }, idempotencyKey);
    const subscription = await recordSubscriptionChange(ctx, { provider, customerId: customer.id, change: created, action: 'auto_renew_enabled', details: { plan: plan.id, paidUntil: until } }, actor);
    return { kind: 'subscribed', subscription };
  }

  if (!request.returnUrl) throw validationFailed(`customer "${customer.externalId}" has no default card at Stripe: send return_url to get a checkout that collects one`);
  if (until.getTime() - now.getTime() < MIN_CHECKOUT_TRIAL_MS) throw validationFailed(`paid_until must be at least 48 hours ahead for a checkout (Stripe's minimum trial there)`);
  const session = await provider.gateway.createTrialCheckoutSession(
    {
      providerCustomerId,
      priceId,
      trialEnd: until,
      metadata,
      successUrl: `${provider.publicBaseUrl}/checkout/${provider.id}/return?session_id={CHECKOUT_SESSION_ID}`,
      cancelUrl: shopReturnUrl(request.returnUrl, { checkout: 'canceled' }),
      locale: customer.locale,
    },
    // Each request is a new checkout, as POST /v1/checkout; the key only makes the SDK's retries safe.
    `recur:auto-renew-checkout:${customer.id}:${plan.id}:${randomUUID()}`,
  );
  await ctx.db.transaction(async (tx) => {
    await insertCheckoutSession(tx, { provider: provider.id, providerSessionId: session.id, customerId: customer.id, planId: plan.id, returnUrl: request.returnUrl! }, now);
    await recordAudit(tx, { at: now, actor, entity: 'customer', entityId: customer.id, action: 'auto_renew_checkout_started', before: null, after: { provider: provider.id, sessionId: session.id, planId: plan.id, paidUntil: until } });
  });
  return { kind: 'checkout', url: session.url, sessionId: session.id };
}
