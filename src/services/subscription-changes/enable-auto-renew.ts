import { randomUUID } from 'node:crypto';
import { recordAudit } from '../../db/repositories/audit-log-repository.ts';
import { insertCheckoutSession } from '../../db/repositories/checkout-session-repository.ts';
import { findCustomerByExternalId } from '../../db/repositories/customer-repository.ts';
import { givingTime, listPrepaidPeriodsOfCustomer } from '../../db/repositories/prepaid-period-repository.ts';
import type { SubscriptionRecord } from '../../db/repositories/subscription-repository.ts';
import { coverageEnd } from '../../domain/prepaid-period.ts';
import type { ProviderId } from '../../domain/provider.ts';
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

/**
 * `paidUntil` null: the end of the customer's running prepaid time (a one-time checkout).
 * `provider` absent: the provider of the customer's latest prepaid purchase, else Stripe.
 */
export type AutoRenewRequest = { customerExternalId: string; planId: string; paidUntil: Date | null; returnUrl: string | null; provider?: ProviderId };
export type AutoRenewOutcome = { kind: 'subscribed'; subscription: SubscriptionRecord } | { kind: 'checkout'; url: string; sessionId: string };

function requirePaidUntilInReach(until: Date, now: Date): void {
  if (until.getTime() <= now.getTime()) throw validationFailed(`paid_until ${until.toISOString()} is not in the future`);
  if (until.getTime() - now.getTime() > MAX_TRIAL_MS) throw validationFailed(`paid_until ${until.toISOString()} is more than 730 days ahead (Stripe's longest trial)`);
}

/** The provider the customer last bought prepaid time through: the subscription that follows it goes there too. */
async function providerOfPrepaidTime(ctx: ServiceContext, customerId: string): Promise<ProviderId> {
  const periods = givingTime(await listPrepaidPeriodsOfCustomer(ctx.db, customerId));
  const latest = periods.reduce<(typeof periods)[number] | null>((last, period) => (!last || period.endsAt.getTime() > last.endsAt.getTime() ? period : last), null);
  return latest?.provider ?? 'stripe';
}

/** Without paid_until: the end of the prepaid time running now, through any prepayment that follows on. */
async function requireRunningPrepaidEnd(ctx: ServiceContext, customer: { id: string; externalId: string }, now: Date): Promise<Date> {
  const end = coverageEnd(givingTime(await listPrepaidPeriodsOfCustomer(ctx.db, customer.id)), now);
  if (!end) throw new RecurError('no_prepaid_period', `customer "${customer.externalId}" has no prepaid time running: send paid_until, the date the time they paid for ends`);
  return end;
}

/**
 * A customer who paid until X (a prepaid period recur recorded, or paid outside recur) gets a subscription whose first
 * charge falls on X, so no time is paid twice: at Stripe a trial until X, at PayPal a subscription
 * starting at X. Where the provider keeps customers and one has a default card, it is created at
 * once; otherwise the customer approves it in a checkout with the same date (PayPal always).
 */
export async function enableAutoRenew(ctx: ServiceContext, request: AutoRenewRequest, actor: Actor): Promise<AutoRenewOutcome> {
  const customer = await findCustomerByExternalId(ctx.db, request.customerExternalId);
  if (!customer) throw notFound('customer', request.customerExternalId);
  const provider = requirePaymentProvider(ctx, request.provider ?? (await providerOfPrepaidTime(ctx, customer.id)));
  requireCapability(provider, 'trialUntilDate');
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

  // A provider without customer objects (PayPal) holds no card recur could charge: the buyer approves.
  const providerCustomerId = provider.capabilities.customerObject ? await ensureProviderCustomer(ctx, provider.gateway, customer) : null;
  const metadata = { recur_customer_id: customer.id, recur_plan_id: plan.id };
  if (providerCustomerId && (await provider.gateway.hasDefaultPaymentMethod(providerCustomerId))) {
    const idempotencyKey = `recur:auto-renew:${customer.id}:${priceId}:${Math.floor(until.getTime() / 1000)}`;
    const created = await provider.gateway.createTrialSubscription({ providerCustomerId, priceId, trialEnd: until, metadata }, idempotencyKey);
    const subscription = await recordSubscriptionChange(ctx, { provider, customerId: customer.id, change: created, action: 'auto_renew_enabled', details: { plan: plan.id, paidUntil: until } }, actor);
    return { kind: 'subscribed', subscription };
  }

  if (!request.returnUrl) throw validationFailed(`customer "${customer.externalId}" has no default card at ${provider.name}: send return_url to get a checkout where they approve the payments`);
  // Stripe's minimum trial in Checkout; the buyer needs that time to approve at any provider.
  if (until.getTime() - now.getTime() < MIN_CHECKOUT_TRIAL_MS) throw validationFailed(`paid_until must be at least 48 hours ahead for a checkout`);
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
