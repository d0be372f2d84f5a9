import { listOpenCheckoutSessionsOfCustomer, settleCheckoutSession } from '../../db/repositories/checkout-session-repository.ts';
import type { ServiceContext } from '../service-context.ts';
import { completeCheckoutReturn } from './complete-checkout-return.ts';
import { requirePaymentProvider } from '../require-payment-provider.ts';

/** Stripe's longest Checkout lifetime: a session opened earlier is expired or finished by now. */
export const LONGEST_SESSION_MS = 24 * 3_600_000;

/**
 * A customer who paid a checkout a moment ago and clicks again before the redirect or the webhook
 * came back has a subscription recur's rows do not show yet. The sessions recur still holds open
 * for the customer are read at their provider first, and one that was paid is recorded as the redirect
 * would record it, so the rule for a new subscription sees it. Normally there are none: every
 * session settles by its redirect or its webhook.
 */
export async function recordPaidCheckouts(ctx: ServiceContext, customerId: string): Promise<void> {
  // Every configured provider's: a PayPal subscription approved by a buyer who closed the tab before the return counts too.
  for (const id of ctx.payments?.configured() ?? []) {
    const provider = requirePaymentProvider(ctx, id);
    const now = ctx.clock.now();
    const open = await listOpenCheckoutSessionsOfCustomer(ctx.db, id, customerId, new Date(now.getTime() - LONGEST_SESSION_MS));
    for (const row of open) {
      const session = await provider.gateway.retrieveCheckoutSession(row.providerSessionId);
      if (session?.status === 'complete') await completeCheckoutReturn(ctx, row.providerSessionId, id);
      else if (session?.status === 'expired') await settleCheckoutSession(ctx.db, { provider: id, providerSessionId: row.providerSessionId }, { status: 'expired', subscriptionId: null }, now);
    }
  }
}
