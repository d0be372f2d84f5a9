import { recordAudit } from '../../db/repositories/audit-log-repository.ts';
import { findCheckoutSession, settleCheckoutSession } from '../../db/repositories/checkout-session-repository.ts';
import { findProviderCustomerId, linkProviderCustomer } from '../../db/repositories/provider-customer-repository.ts';
import type { ProviderId } from '../../domain/provider.ts';
import { findSubscription } from '../../db/repositories/subscription-repository.ts';
import { notFound, RecurError } from '../../shared/errors.ts';
import type { ServiceContext } from '../service-context.ts';
import { recordProviderPayment } from '../sync/record-provider-payment.ts';
import { recordProviderSubscription } from '../sync/record-provider-subscription.ts';
import { shopReturnUrl } from './create-checkout.ts';
import { requirePaymentProvider } from '../require-payment-provider.ts';
import { completePrepaidReturn } from './complete-prepaid-return.ts';
import { entitlementPolicyOf } from '../entitlement/entitlement-policy.ts';
import { lockCustomerForWrite } from '../../db/repositories/customer-repository.ts';
import { queueKeepCardThatPays } from './keep-card-that-pays.ts';

/** `declined`: the provider refused the payment recur collects itself (a PayPal order's capture); nothing was recorded. */
export type CheckoutOutcome = 'success' | 'pending' | 'canceled' | 'declined';
/** `prepaidPeriodId`: what a one-time checkout bought (absent for a subscription checkout). */
export type CheckoutReturn = { outcome: CheckoutOutcome; subscriptionId: string | null; prepaidPeriodId?: string | null; redirectTo: string };

const foreign = (sessionId: string) => new RecurError('validation_failed', `checkout session "${sessionId}" does not belong to the customer it was opened for`);

/**
 * The customer is back from the provider's hosted page. Only a session recur opened is looked up at
 * the provider at all (an unknown id is answered before any call), and only when the provider's
 * session still names the same recur customer (and, where the provider keeps customers, the same
 * provider customer) is anything written. A provider without customer objects (PayPal) names its
 * payer only now: the return links it to the recur customer the checkout was opened for. The
 * subscription goes through the same guarded write as the webhooks, versioned with the session's
 * creation time, so any event about the subscription (all later than that) still wins over this read.
 */
export async function completeCheckoutReturn(ctx: ServiceContext, sessionId: string, providerId: ProviderId = 'stripe'): Promise<CheckoutReturn> {
  const provider = requirePaymentProvider(ctx, providerId);
  const opened = await findCheckoutSession(ctx.db, provider.id, sessionId);
  if (!opened) throw notFound('checkout session', sessionId);
  const session = await provider.gateway.retrieveCheckoutSession(sessionId);
  if (!session) throw notFound('checkout session', sessionId);
  if (session.clientReferenceId !== opened.customerId || session.metadata['recur_customer_id'] !== opened.customerId) throw foreign(sessionId);
  if (provider.capabilities.customerObject) {
    const linked = await findProviderCustomerId(ctx.db, opened.customerId, provider.id);
    if (session.providerCustomerId !== linked) throw foreign(sessionId);
    if (session.subscription && session.subscription.providerCustomerId !== linked) throw foreign(sessionId);
    if (session.purchase === 'one_time' && session.firstPayment && session.firstPayment.providerCustomerId !== linked) throw foreign(sessionId);
  }
  if (session.purchase === 'one_time') return completePrepaidReturn(ctx, provider, opened, session);

  if (session.status !== 'complete' || !session.subscription) {
    const outcome: CheckoutOutcome = session.status === 'expired' ? 'canceled' : 'pending';
    return { outcome, subscriptionId: null, redirectTo: shopReturnUrl(opened.returnUrl, { checkout: outcome }) };
  }
  const subscription = session.subscription;
  const now = ctx.clock.now();
  const actor = `checkout:${provider.id}:${session.id}`;
  const subscriptionId = await ctx.db.transaction(async (tx) => {
    await lockCustomerForWrite(tx, opened.customerId);
    if (!provider.capabilities.customerObject && subscription.providerCustomerId) {
      // One payer may pay for several recur customers (each gets its own link); a recur customer keeps its first payer's link. The subscription's custom_id names its customer either way.
      await linkProviderCustomer(tx, { customerId: opened.customerId, provider: provider.id, providerCustomerId: subscription.providerCustomerId }, now);
    }
    const mandateReference = session.mandateReference ?? session.firstPayment?.mandateReference ?? null;
    const recorded = await recordProviderSubscription(tx, { provider: provider.id, customerId: opened.customerId, subscription, version: session.created, plans: ctx.config.catalogue.plans, entitlementPolicy: entitlementPolicyOf(ctx.config), now, actor, mandateReference });
    if (recorded.outcome === 'not_recorded') throw new RecurError('conflict', recorded.reason);
    if (session.firstPayment) {
      await recordProviderPayment(tx, { provider: provider.id, customerId: opened.customerId, subscriptionId: recorded.subscriptionId, payment: session.firstPayment, version: session.created, plans: ctx.config.catalogue.plans, entitlementPolicy: entitlementPolicyOf(ctx.config), now, actor });
    }
    if (await settleCheckoutSession(tx, { provider: provider.id, providerSessionId: session.id }, { status: 'complete', subscriptionId: recorded.subscriptionId }, now)) {
      await recordAudit(tx, { at: now, actor, entity: 'customer', entityId: opened.customerId, action: 'checkout_completed', before: null, after: { sessionId: session.id, subscriptionId: recorded.subscriptionId, paymentStatus: session.paymentStatus } });
      await queueKeepCardThatPays(tx, ctx.jobs, provider.id, subscription.id);
    }
    return recorded.subscriptionId;
  });
  const stored = await findSubscription(ctx.db, subscriptionId);
  // Trialing or active is a finished checkout; an unpaid asynchronous payment (SEPA) is finished by its webhook.
  const outcome: CheckoutOutcome = stored && (stored.status === 'trialing' || stored.status === 'active') ? 'success' : 'pending';
  return { outcome, subscriptionId, redirectTo: shopReturnUrl(opened.returnUrl, { checkout: outcome, subscription: subscriptionId }) };
}
