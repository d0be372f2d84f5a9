import type { ProviderId } from '../../domain/provider.ts';
import type { Money } from '../../domain/money.ts';
import type { Plan } from '../../domain/plan.ts';
import { RecurError } from '../../shared/errors.ts';
import { buildCheckoutTerms } from '../checkout/checkout-terms.ts';
import type { ServiceContext } from '../service-context.ts';
import { requireNewSubscriptionTerms } from '../subscriptions/require-new-subscription-terms.ts';
import type { PortalViewer } from './read-portal-session.ts';
import { stateSignupTerms, type StatedTerms } from './signup-terms.ts';

/** One plan as the picker offers it: its terms in words, and what a year of it saves against the monthly plan. */
export type SignupOffer = { plan: Plan; stated: StatedTerms; yearlySaving: Money | null };

/**
 * What the portal offers a customer without a subscription: every plan in the catalogue under
 * recur's rule for a new one (the same as POST /v1/checkout applies, so a customer who had a trial
 * is offered none), and the providers they can pay with. `none`: the customer has a live
 * subscription, or prepaid time runs (the checkout would be refused), or no provider is set up.
 */
export type SignupOffers = { kind: 'offers'; offers: SignupOffer[]; providers: ProviderId[] } | { kind: 'none' };

export async function readSignupOffers(ctx: ServiceContext, viewer: PortalViewer): Promise<SignupOffers> {
  const providers = ctx.payments?.configured() ?? [];
  if (providers.length === 0 || viewer.customer.banned) return { kind: 'none' };
  let allowed;
  try {
    allowed = await requireNewSubscriptionTerms(ctx, viewer.customer);
  } catch (error) {
    if (error instanceof RecurError && error.code === 'conflict') return { kind: 'none' };
    throw error;
  }
  const { plans } = ctx.config.catalogue;
  const context = { now: ctx.clock.now(), locale: viewer.locale, timeZone: viewer.customer.timeZone ?? ctx.config.DEFAULT_TIME_ZONE, trialOncePerCustomer: ctx.config.catalogue.trial_once_per_customer };
  const offers = plans.map((plan) => ({ plan, stated: stateSignupTerms(plan, buildCheckoutTerms(plan, allowed), context), yearlySaving: yearlySavingOf(plan, plans) }));
  return { kind: 'offers', offers, providers };
}

/** A yearly plan against twelve months of a monthly plan in the same currency; null when it saves nothing. */
function yearlySavingOf(plan: Plan, plans: readonly Plan[]): Money | null {
  if (plan.interval !== 'year') return null;
  const monthly = plans.find((candidate) => candidate.interval === 'month' && candidate.currency === plan.currency);
  if (!monthly) return null;
  const saving = monthly.amountMinor * 12 - plan.amountMinor;
  return saving > 0 ? { amountMinor: saving, currency: plan.currency } : null;
}
