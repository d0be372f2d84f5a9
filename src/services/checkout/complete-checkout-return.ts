import { recordAudit } from '../../db/repositories/audit-log-repository.ts';
import { findCheckoutSession, settleCheckoutSession } from '../../db/repositories/checkout-session-repository.ts';
import { findProviderCustomerId } from '../../db/repositories/provider-customer-repository.ts';
import { findSubscription } from '../../db/repositories/subscription-repository.ts';
import { notFound, RecurError } from '../../shared/errors.ts';
import type { ServiceContext } from '../service-context.ts';
import { recordProviderPayment } from '../sync/record-provider-payment.ts';
import { recordProviderSubscription } from '../sync/record-provider-subscription.ts';
import { shopReturnUrl } from './create-checkout.ts';
import { requirePaymentProvider } from '../require-payment-provider.ts';
import { completePrepaidReturn } from './complete-prepaid-return.ts';

export type CheckoutOutcome = 'success' | 'pending' | 'canceled';
/** `prepaidPeriodId`: what a one-time checkout bought (absent for a subscription checkout). */
export type CheckoutReturn = { outcome: CheckoutOutcome; subscriptionId: string | null; prepaidPeriodId?: string | null; redirectTo: string };

const foreign = (sessionId: string) => new RecurError('validation_failed', `checkout session "${sessionId}" does not belong to the customer it was opened for`);

/**
 * The customer is back from Stripe's hosted page. Only a session recur opened is looked up at
 * Stripe at all (an unknown id is answered before any call), and only when Stripe's session still
 * names the same recur customer and Stripe customer is anything written. The subscription goes
 * through the same guarded write as the webhooks, versioned with the session's creation time, so
 * any event about the subscription (all later than that) still wins over this read.
 */
export async function completeCheckoutReturn(ctx: ServiceContext, sessionId: string): Promise<CheckoutReturn> {
  const stripe = requirePaymentProvider(ctx, 'stripe');
  const opened = await findCheckoutSession(ctx.db, 'stripe', sessionId);
  if (!opened) throw notFound('checkout session', sessionId);
  const session = await stripe.gateway.retrieveCheckoutSession(sessionId);
  if (!session) throw notFound('checkout session', sessionId);
  const linkedStripeCustomer = await findProviderCustomerId(ctx.db, opened.customerId, 'stripe');
  if (session.clientReferenceId !== opened.customerId || session.metadata['recur_customer_id'] !== opened.customerId || session.providerCustomerId !== linkedStripeCustomer) {
    throw foreign(sessionId);
  }
  if (session.subscription && session.subscription.providerCustomerId !== linkedStripeCustomer) throw foreign(sessionId);
  if (session.purchase === 'one_time') {
    if (session.firstPayment && session.firstPayment.providerCustomerId !== linkedStripeCustomer) throw foreign(sessionId);
    return completePrepaidReturn(ctx, 'stripe', opened, session);
  }

  if (session.status !== 'complete' || !session.subscription) {
    const outcome: CheckoutOutcome = session.status === 'expired' ? 'canceled' : 'pending';
    return { outcome, subscriptionId: null, redirectTo: shopReturnUrl(opened.returnUrl, { checkout: outcome }) };
  }
  const subscription = session.subscription;
  const now = ctx.clock.now();
  const actor = `checkout:stripe:${session.id}`;
  const subscriptionId = await ctx.db.transaction(async (tx) => {
    const recorded = await recordProviderSubscription(tx, { provider: 'stripe', customerId: opened.customerId, subscription, version: session.created, plans: ctx.config.catalogue.plans, now, actor });
    if (recorded.outcome === 'not_recorded') throw new RecurError('conflict', recorded.reason);
    if (session.firstPayment) {
      await recordProviderPayment(tx, { provider: 'stripe', customerId: opened.customerId, subscriptionId: recorded.subscriptionId, payment: session.firstPayment, version: session.created, plans: ctx.config.catalogue.plans, now, actor });
    }
    if (await settleCheckoutSession(tx, { provider: 'stripe', providerSessionId: session.id }, { status: 'complete', subscriptionId: recorded.subscriptionId }, now)) {
      await recordAudit(tx, { at: now, actor, entity: 'customer', entityId: opened.customerId, action: 'checkout_completed', before: null, after: { sessionId: session.id, subscriptionId: recorded.subscriptionId, paymentStatus: session.paymentStatus } });
    }
    return recorded.subscriptionId;
  });
  const stored = await findSubscription(ctx.db, subscriptionId);
  // Trialing or active is a finished checkout; an unpaid asynchronous payment (SEPA) is finished by its webhook.
  const outcome: CheckoutOutcome = stored && (stored.status === 'trialing' || stored.status === 'active') ? 'success' : 'pending';
  return { outcome, subscriptionId, redirectTo: shopReturnUrl(opened.returnUrl, { checkout: outcome, subscription: subscriptionId }) };
}
