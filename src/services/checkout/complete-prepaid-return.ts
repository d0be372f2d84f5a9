import { recordAudit } from '../../db/repositories/audit-log-repository.ts';
import { settleCheckoutSession, type CheckoutSessionRecord } from '../../db/repositories/checkout-session-repository.ts';
import { linkProviderCustomer } from '../../db/repositories/provider-customer-repository.ts';
import type { PaymentProvider } from '../../providers/payments/payment-provider.ts';
import type { ProviderCheckoutSession } from '../../providers/payments/provider-objects.ts';
import { RecurError } from '../../shared/errors.ts';
import type { ServiceContext } from '../service-context.ts';
import { recordPrepaidPurchase } from './record-prepaid-purchase.ts';
import { shopReturnUrl } from './create-checkout.ts';
import type { CheckoutOutcome, CheckoutReturn } from './complete-checkout-return.ts';
import { entitlementPolicyOf } from '../entitlement/entitlement-policy.ts';
import { lockCustomerForWrite } from '../../db/repositories/customer-repository.ts';

/**
 * The return from a one-time checkout whose session the caller has read back and found to be the
 * customer's: the payment and the prepaid period it bought are recorded at once when the provider
 * says the session is complete and its payment paid; an unpaid one (a bank debit under way) is
 * pending and is finished by the payment's events and the checkout webhook. A checkout the
 * provider leaves to recur to collect (a PayPal order) is captured here first, once whatever the
 * reloads, unless recur expired it for a newer checkout: then no money moves (canceled). A
 * declined capture records nothing and says so (declined).
 */
export async function completePrepaidReturn(ctx: ServiceContext, paymentProvider: PaymentProvider, opened: CheckoutSessionRecord, approved: ProviderCheckoutSession): Promise<CheckoutReturn> {
  const provider = paymentProvider.id;
  const answer = (outcome: CheckoutOutcome): CheckoutReturn => ({ outcome, subscriptionId: null, prepaidPeriodId: null, redirectTo: shopReturnUrl(opened.returnUrl, { checkout: outcome }) });
  let session = approved;
  if (session.awaitingCapture) {
    if (opened.status === 'expired') return answer('canceled');
    const captured = await paymentProvider.gateway.captureCheckoutSession(session.id);
    if (captured.kind === 'declined') {
      // The capture's request id would be answered with the same decline: this checkout is over, and
      // no longer counts as open (the customer may start another one).
      await settleCheckoutSession(ctx.db, { provider, providerSessionId: session.id }, { status: 'expired', subscriptionId: null }, ctx.clock.now());
      return answer('declined');
    }
    if (captured.kind === 'not_approved') return answer('pending');
    if (captured.session.clientReferenceId !== opened.customerId) throw new RecurError('validation_failed', `checkout session "${session.id}" does not belong to the customer it was opened for`);
    session = captured.session;
  }
  const payment = session.firstPayment;
  if (session.status !== 'complete' || !payment) {
    return answer(session.status === 'expired' ? 'canceled' : 'pending');
  }
  if (!session.prepaid) throw new RecurError('conflict', `checkout session "${session.id}" carries no prepaid period recur can read`);
  const prepaid = session.prepaid;
  const now = ctx.clock.now();
  const actor = `checkout:${provider}:${session.id}`;
  const recorded = await ctx.db.transaction(async (tx) => {
    await lockCustomerForWrite(tx, opened.customerId);
    // A provider without customer objects (PayPal) names the payer only now; the first link wins.
    if (!paymentProvider.capabilities.customerObject && payment.providerCustomerId) {
      await linkProviderCustomer(tx, { customerId: opened.customerId, provider, providerCustomerId: payment.providerCustomerId }, now);
    }
    const result = await recordPrepaidPurchase(tx, { provider, customerId: opened.customerId, payment, prepaid, version: session.created, plans: ctx.config.catalogue.plans, entitlementPolicy: entitlementPolicyOf(ctx.config), now, actor });
    if (await settleCheckoutSession(tx, { provider, providerSessionId: session.id }, { status: 'complete', subscriptionId: null }, now)) {
      const prepaidPeriodId = result.outcome === 'not_recorded' ? null : result.prepaidPeriodId;
      await recordAudit(tx, { at: now, actor, entity: 'customer', entityId: opened.customerId, action: 'checkout_completed', before: null, after: { sessionId: session.id, prepaidPeriodId, paymentStatus: session.paymentStatus } });
    }
    return result;
  });
  if (recorded.outcome === 'not_recorded') return { outcome: 'pending', subscriptionId: null, prepaidPeriodId: null, redirectTo: shopReturnUrl(opened.returnUrl, { checkout: 'pending' }) };
  return { outcome: 'success', subscriptionId: null, prepaidPeriodId: recorded.prepaidPeriodId, redirectTo: shopReturnUrl(opened.returnUrl, { checkout: 'success', prepaid_period: recorded.prepaidPeriodId }) };
}
