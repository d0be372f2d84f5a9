import { randomUUID } from 'node:crypto';
import { recordAudit } from '../../db/repositories/audit-log-repository.ts';
import { insertCheckoutSession, listOpenCheckoutSessionsOfCustomer, settleCheckoutSession } from '../../db/repositories/checkout-session-repository.ts';
import { findCustomerByExternalId, type CustomerRecord } from '../../db/repositories/customer-repository.ts';
import { findProviderPriceId, paymentMethodsOf, type Plan } from '../../domain/plan.ts';
import type { ProviderId } from '../../domain/provider.ts';
import { notFound, RecurError, validationFailed } from '../../shared/errors.ts';
import type { Actor, ServiceContext } from '../service-context.ts';
import { ensureProviderCustomer } from '../subscription-changes/ensure-provider-customer.ts';
import { requireNewSubscriptionTerms } from '../subscriptions/require-new-subscription-terms.ts';
import { lookupKeyForPlan } from '../sync/plan-for-price.ts';
import { buildCheckoutTerms, describeCheckoutTerms, type CheckoutTerms } from './checkout-terms.ts';
import { keepNewestOpenCheckout } from './keep-newest-open-checkout.ts';
import { LONGEST_SESSION_MS } from './record-paid-checkouts.ts';
import { requireCapability, requirePaymentProvider } from '../require-payment-provider.ts';
import type { PaymentProvider } from '../../providers/payments/payment-provider.ts';
import type { CheckoutPurchase, OpenCheckoutSession } from '../../providers/payments/provider-objects.ts';
import { buildPrepaidCheckout } from './prepaid-checkout-terms.ts';
import { insertCheckoutConsent, type CheckoutConsent } from '../../db/repositories/checkout-consent-repository.ts';

/**
 * `mode`: a subscription (the default), or a one-time payment for `periods` of the plan's
 * interval (default 1) without auto-renew, where the provider can take one. `retryKey`: the same
 * for every retry of one API request (from its Idempotency-Key), so a retry after a crash gets
 * the checkout the provider already opened for it instead of a second one.
 */
export type CheckoutRequest = { customerExternalId: string; planId: string; provider: ProviderId; mode?: 'subscription' | 'one_time'; periods?: number; returnUrl: string; retryKey?: string; consent?: StatedConsent };

/**
 * The terms a customer was shown and agreed to before this checkout (the portal's plan picker):
 * recorded with the checkout, and the checkout is refused when its terms are not the ones stated.
 */
export type StatedConsent = Omit<CheckoutConsent, 'customerId' | 'provider' | 'providerSessionId' | 'planId'>;
export type CheckoutStarted = { url: string; sessionId: string; terms: CheckoutTerms };

/** Adds the outcome to the shop's return URL, keeping whatever query it already has. */
export function shopReturnUrl(returnUrl: string, params: Record<string, string>): string {
  const url = new URL(returnUrl);
  for (const [key, value] of Object.entries(params)) url.searchParams.set(key, value);
  return url.toString();
}

/**
 * A hosted checkout at the requested provider for one customer and plan, under recur's rule for a new subscription:
 * refused while the customer has a live one (nothing is created at the provider then), without the free
 * trial for a returning customer when the catalogue says so, and the only open checkout of that
 * customer. One-time, it sells prepaid periods under the same rule (prepaid-checkout-terms.ts).
 * The session is remembered with the shop's return URL so the redirect back can be checked and sent on.
 */
export async function createCheckout(ctx: ServiceContext, request: CheckoutRequest, actor: Actor): Promise<CheckoutStarted> {
  const provider = requirePaymentProvider(ctx, request.provider);
  const oneTime = request.mode === 'one_time';
  if (oneTime) requireCapability(provider, 'oneTimeCheckout');
  else if (request.periods !== undefined) throw validationFailed('periods is for a one-time checkout (mode "one_time")');
  const customer = await findCustomerByExternalId(ctx.db, request.customerExternalId);
  if (!customer) throw notFound('customer', request.customerExternalId);
  if (customer.banned) throw new RecurError('forbidden', `customer "${customer.externalId}" is banned and cannot start a checkout`);
  const plan = ctx.config.catalogue.plans.find((candidate) => candidate.id === request.planId);
  if (!plan) throw validationFailed(`plan "${request.planId}" is not in the catalogue`);
  const { terms, purchase, submitMessage } = oneTime ? await prepaidCheckout(ctx, customer, plan, request.periods ?? 1) : await subscriptionCheckout(ctx, provider, customer, plan);
  if (request.consent) requireStatedTerms(request.consent, terms);

  // A provider without customer objects (PayPal) learns the payer at approval; the return links it.
  const providerCustomerId = provider.capabilities.customerObject ? await ensureProviderCustomer(ctx, provider.gateway, customer) : null;
  const earlier = new Set((await listOpenCheckoutSessionsOfCustomer(ctx.db, provider.id, customer.id, new Date(ctx.clock.now().getTime() - LONGEST_SESSION_MS))).map((row) => row.providerSessionId));
  const session = await provider.gateway.createCheckoutSession({
    providerCustomerId,
    purchase,
    recurCustomerId: customer.id,
    planId: plan.id,
    successUrl: `${provider.publicBaseUrl}/checkout/${provider.id}/return?session_id={CHECKOUT_SESSION_ID}`,
    cancelUrl: shopReturnUrl(request.returnUrl, { checkout: 'canceled' }),
    locale: customer.locale,
    paymentMethods: paymentMethodsOf(plan),
    submitMessage,
    // Each request is a new checkout; the key makes the SDK's own retries of it safe, and the API client's retries under one Idempotency-Key.
    idempotencyKey: `recur:checkout:${customer.id}:${plan.id}:${request.retryKey ?? randomUUID()}`,
  });
  const now = ctx.clock.now();
  const open = await keepNewestOpenCheckout(provider.gateway, { providerCustomerId, recurCustomerId: customer.id, ownSessionId: session.id, earlier });
  const expired = open.kind === 'superseded' ? [...open.expired, session.id] : open.expired;
  await ctx.db.transaction(async (tx) => {
    await insertCheckoutSession(tx, { provider: provider.id, providerSessionId: session.id, customerId: customer.id, planId: plan.id, returnUrl: request.returnUrl }, now);
    for (const id of expired) await settleCheckoutSession(tx, { provider: provider.id, providerSessionId: id }, { status: 'expired', subscriptionId: null }, now);
    const after = { provider: provider.id, sessionId: session.id, planId: plan.id, trialDays: terms.trialDays, trialRefused: terms.trialRefused, expiredSessions: expired, ...(terms.prepaid ? { periods: terms.prepaid.periods, dueToday: terms.dueToday } : {}) };
    await recordAudit(tx, { at: now, actor, entity: 'customer', entityId: customer.id, action: 'checkout_started', before: null, after });
    if (request.consent) await insertCheckoutConsent(tx, { ...request.consent, customerId: customer.id, provider: provider.id, providerSessionId: session.id, planId: plan.id });
  });
  const newest = open.kind === 'newest' ? await confirmStillNewest(ctx, provider, { session, providerCustomerId, recurCustomerId: customer.id, earlier }) : open.by;
  if (newest.id === session.id) return { url: session.url, sessionId: session.id, terms };
  // A double click: both requests answer the one checkout left open, when it sells the same plan the same way.
  if (newest.planId !== plan.id || newest.purchase !== purchase.kind || !newest.url) {
    throw new RecurError('conflict', `another checkout for customer "${customer.externalId}" (${newest.id}, plan "${newest.planId}") was started at the same moment`, { details: { checkout_session_id: newest.id } });
  }
  return { url: newest.url, sessionId: newest.id, terms };
}

/** What was agreed to must be what is sold: a trial or price that changed since the page was read is refused before anything is opened. */
function requireStatedTerms(consent: StatedConsent, terms: CheckoutTerms): void {
  const same = consent.trialDays === terms.trialDays && consent.priceMinor === terms.price.amountMinor && consent.currency === terms.price.currency && consent.dueTodayMinor === terms.dueToday.amountMinor && consent.interval === terms.interval;
  if (!same) throw new RecurError('conflict', 'the terms of this checkout changed since they were shown; read them again');
}

type CheckoutOffer = { terms: CheckoutTerms; purchase: CheckoutPurchase; submitMessage: string | null };

/** A subscription: recur's rule for a new one (live refused, trial once), at the plan's provider price. */
async function subscriptionCheckout(ctx: ServiceContext, provider: PaymentProvider, customer: CustomerRecord, plan: Plan): Promise<CheckoutOffer> {
  const terms = buildCheckoutTerms(plan, await requireNewSubscriptionTerms(ctx, customer));
  if (terms.trialDays > 0) requireCapability(provider, 'trialOnCheckout');
  const priceId = (await provider.gateway.findPriceByLookupKey(lookupKeyForPlan(plan.id)))?.id ?? findProviderPriceId(plan, provider.id);
  if (!priceId) throw new RecurError('conflict', `plan "${plan.id}" has no ${provider.name} price yet: run \`recur plans sync\``);
  const submitMessage = describeCheckoutTerms(terms, ctx.config.catalogue.trial_once_per_customer, customer.locale);
  return { terms, purchase: { kind: 'subscription', priceId, trialDays: terms.trialDays }, submitMessage };
}

/** Prepaid time: refused beside a live subscription by the same rule; more prepaid time extends the running one. */
async function prepaidCheckout(ctx: ServiceContext, customer: CustomerRecord, plan: Plan, periods: number): Promise<CheckoutOffer> {
  await requireNewSubscriptionTerms(ctx, customer, 'prepaid');
  return buildPrepaidCheckout(ctx, customer, plan, periods);
}

/**
 * A concurrent request that listed this session before it was recorded may have expired it at the
 * provider, and its settle then found no row to mark. Reading the session again after it is
 * recorded closes that gap: an expiry before the record shows here, one after it finds the row.
 */
async function confirmStillNewest(
  ctx: ServiceContext,
  provider: PaymentProvider,
  input: { session: { id: string; url: string }; providerCustomerId: string | null; recurCustomerId: string; earlier: ReadonlySet<string> },
): Promise<Pick<OpenCheckoutSession, 'id' | 'planId' | 'url' | 'purchase'>> {
  const openSessionIds = [...input.earlier, input.session.id];
  const listed = (await provider.gateway.listOpenCheckoutSessions({ providerCustomerId: input.providerCustomerId, recurCustomerId: input.recurCustomerId, openSessionIds })).filter((candidate) => candidate.recurCustomerId === input.recurCustomerId);
  const own = listed.find((candidate) => candidate.id === input.session.id);
  if (own) return own;
  const status = (await provider.gateway.retrieveCheckoutSession(input.session.id))?.status ?? 'expired';
  await settleCheckoutSession(ctx.db, { provider: provider.id, providerSessionId: input.session.id }, { status, subscriptionId: null }, ctx.clock.now());
  const other = listed[0]; // newest first
  if (!other) throw new RecurError('conflict', 'another checkout for this customer was started and finished at the same moment; reload to see the subscription');
  return other;
}
