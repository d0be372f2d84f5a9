import { randomUUID } from 'node:crypto';
import { recordAudit } from '../../db/repositories/audit-log-repository.ts';
import { insertCheckoutSession } from '../../db/repositories/checkout-session-repository.ts';
import { findCustomerByExternalId } from '../../db/repositories/customer-repository.ts';
import { findProviderCustomerId, linkProviderCustomer } from '../../db/repositories/provider-customer-repository.ts';
import { findProviderPriceId } from '../../domain/plan.ts';
import { notFound, RecurError, validationFailed } from '../../shared/errors.ts';
import type { Actor, ServiceContext } from '../service-context.ts';
import { lookupKeyForPlan } from '../sync/plan-for-price.ts';
import { requireStripe } from './require-stripe.ts';

export type CheckoutRequest = { customerExternalId: string; planId: string; provider: 'stripe'; returnUrl: string };
export type CheckoutStarted = { url: string; sessionId: string };

/** Adds the outcome to the shop's return URL, keeping whatever query it already has. */
export function shopReturnUrl(returnUrl: string, params: Record<string, string>): string {
  const url = new URL(returnUrl);
  for (const [key, value] of Object.entries(params)) url.searchParams.set(key, value);
  return url.toString();
}

/**
 * A hosted Stripe Checkout for one customer and plan: the Stripe customer is created once (and
 * linked), the session is remembered with the shop's return URL so the redirect back can be
 * checked and sent on.
 */
export async function createCheckout(ctx: ServiceContext, request: CheckoutRequest, actor: Actor): Promise<CheckoutStarted> {
  const stripe = requireStripe(ctx);
  const customer = await findCustomerByExternalId(ctx.db, request.customerExternalId);
  if (!customer) throw notFound('customer', request.customerExternalId);
  if (customer.banned) throw new RecurError('forbidden', `customer "${customer.externalId}" is banned and cannot start a checkout`);
  const plan = ctx.config.catalogue.plans.find((candidate) => candidate.id === request.planId);
  if (!plan) throw validationFailed(`plan "${request.planId}" is not in the catalogue`);
  const priceId = (await stripe.gateway.findPriceByLookupKey(lookupKeyForPlan(plan.id)))?.id ?? findProviderPriceId(plan, 'stripe');
  if (!priceId) throw new RecurError('conflict', `plan "${plan.id}" has no Stripe price yet: run \`recur plans sync\``);

  let providerCustomerId = await findProviderCustomerId(ctx.db, customer.id, 'stripe');
  if (!providerCustomerId) {
    // The key makes a retry (or a concurrent request) get the same Stripe customer back.
    const created = await stripe.gateway.createCustomer({ recurCustomerId: customer.id, externalId: customer.externalId, email: customer.email, name: customer.name, locale: customer.locale });
    providerCustomerId = await ctx.db.transaction((tx) => linkProviderCustomer(tx, { customerId: customer.id, provider: 'stripe', providerCustomerId: created.id }, ctx.clock.now()));
  }

  const session = await stripe.gateway.createCheckoutSession({
    providerCustomerId: providerCustomerId!,
    priceId,
    trialDays: plan.trialDays,
    recurCustomerId: customer.id,
    planId: plan.id,
    successUrl: `${stripe.publicBaseUrl}/checkout/stripe/return?session_id={CHECKOUT_SESSION_ID}`,
    cancelUrl: shopReturnUrl(request.returnUrl, { checkout: 'canceled' }),
    locale: customer.locale,
    // Each request is a new checkout; the key only makes the SDK's own retries of it safe.
    idempotencyKey: `recur:checkout:${customer.id}:${plan.id}:${randomUUID()}`,
  });
  const now = ctx.clock.now();
  await ctx.db.transaction(async (tx) => {
    await insertCheckoutSession(tx, { provider: 'stripe', providerSessionId: session.id, customerId: customer.id, planId: plan.id, returnUrl: request.returnUrl }, now);
    await recordAudit(tx, { at: now, actor, entity: 'customer', entityId: customer.id, action: 'checkout_started', before: null, after: { provider: 'stripe', sessionId: session.id, planId: plan.id } });
  });
  return { url: session.url, sessionId: session.id };
}
