import { recordAudit } from '../../db/repositories/audit-log-repository.ts';
import { settleCheckoutSession, type CheckoutSessionRecord } from '../../db/repositories/checkout-session-repository.ts';
import type { ProviderId } from '../../domain/provider.ts';
import type { ProviderCheckoutSession } from '../../providers/payments/provider-objects.ts';
import { RecurError } from '../../shared/errors.ts';
import type { ServiceContext } from '../service-context.ts';
import { recordPrepaidPurchase } from './record-prepaid-purchase.ts';
import { shopReturnUrl } from './create-checkout.ts';
import type { CheckoutOutcome, CheckoutReturn } from './complete-checkout-return.ts';

/**
 * The return from a one-time checkout whose session the caller has read back and found to be the
 * customer's: the payment and the prepaid period it bought are recorded at once when the provider
 * says the session is complete and its payment paid; an unpaid one (a bank debit under way) is
 * pending and is finished by the payment's events and the checkout webhook.
 */
export async function completePrepaidReturn(ctx: ServiceContext, provider: ProviderId, opened: CheckoutSessionRecord, session: ProviderCheckoutSession): Promise<CheckoutReturn> {
  const payment = session.firstPayment;
  if (session.status !== 'complete' || !payment) {
    const outcome: CheckoutOutcome = session.status === 'expired' ? 'canceled' : 'pending';
    return { outcome, subscriptionId: null, prepaidPeriodId: null, redirectTo: shopReturnUrl(opened.returnUrl, { checkout: outcome }) };
  }
  if (!session.prepaid) throw new RecurError('conflict', `checkout session "${session.id}" carries no prepaid period recur can read`);
  const prepaid = session.prepaid;
  const now = ctx.clock.now();
  const actor = `checkout:${provider}:${session.id}`;
  const recorded = await ctx.db.transaction(async (tx) => {
    const result = await recordPrepaidPurchase(tx, { provider, customerId: opened.customerId, payment, prepaid, version: session.created, plans: ctx.config.catalogue.plans, now, actor });
    if (await settleCheckoutSession(tx, { provider, providerSessionId: session.id }, { status: 'complete', subscriptionId: null }, now)) {
      const prepaidPeriodId = result.outcome === 'not_recorded' ? null : result.prepaidPeriodId;
      await recordAudit(tx, { at: now, actor, entity: 'customer', entityId: opened.customerId, action: 'checkout_completed', before: null, after: { sessionId: session.id, prepaidPeriodId, paymentStatus: session.paymentStatus } });
    }
    return result;
  });
  if (recorded.outcome === 'not_recorded') return { outcome: 'pending', subscriptionId: null, prepaidPeriodId: null, redirectTo: shopReturnUrl(opened.returnUrl, { checkout: 'pending' }) };
  return { outcome: 'success', subscriptionId: null, prepaidPeriodId: recorded.prepaidPeriodId, redirectTo: shopReturnUrl(opened.returnUrl, { checkout: 'success', prepaid_period: recorded.prepaidPeriodId }) };
}
