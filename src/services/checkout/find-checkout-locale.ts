import { findCheckoutSessionLocale } from '../../db/repositories/checkout-session-repository.ts';
import type { Locale } from '../../db/repositories/customer-repository.ts';
import type { ProviderId } from '../../domain/provider.ts';
import type { ServiceContext } from '../service-context.ts';

/**
 * The language of the customer a checkout session was opened for, so the pages about it
 * speak it; null when recur did not open that session. Reads recur's own row only, never Stripe.
 */
export async function findCheckoutLocale(ctx: Pick<ServiceContext, 'db'>, sessionId: string, provider: ProviderId = 'stripe'): Promise<Locale | null> {
  return findCheckoutSessionLocale(ctx.db, provider, sessionId);
}
