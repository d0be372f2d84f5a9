import type { ProviderId } from '../../domain/provider.ts';
import { createCheckout } from '../checkout/create-checkout.ts';
import type { ServiceContext } from '../service-context.ts';
import { portalActor } from './portal-subscriptions.ts';
import type { PortalViewer } from './read-portal-session.ts';
import { readSignupOffers, type SignupOffers } from './signup-offers.ts';
import { SIGNUP_TERMS_VERSION } from './signup-terms.ts';

export type PortalCheckoutRequest = { planId: string; provider: ProviderId; consent: boolean; termsDigest: string };

/**
 * `consent_missing`: the box was not ticked. `terms_changed`: the words the form was read with
 * are not the ones that apply now (the day turned, a trial was used meanwhile). Either way nothing
 * is opened at the provider, and the page shows the current offers again.
 */
export type PortalCheckoutOutcome =
  | { kind: 'started'; url: string }
  | { kind: 'consent_missing' | 'terms_changed'; planId: string; offers: SignupOffers }
  | { kind: 'unavailable' };

/**
 * The plan picker's checkout: through the same service as POST /v1/checkout (recur's rule for a new
 * subscription, the trial once), back into the portal afterwards, and with the consent to the
 * stated terms recorded in the transaction that records the checkout.
 */
export async function startPortalCheckout(ctx: ServiceContext, viewer: PortalViewer, request: PortalCheckoutRequest): Promise<PortalCheckoutOutcome> {
  const offers = await readSignupOffers(ctx, viewer);
  if (offers.kind === 'none') return { kind: 'unavailable' };
  const offer = offers.offers.find((candidate) => candidate.plan.id === request.planId);
  if (!offer || !offers.providers.includes(request.provider)) return { kind: 'unavailable' };
  if (offer.stated.digest !== request.termsDigest) return { kind: 'terms_changed', planId: offer.plan.id, offers };
  if (!request.consent) return { kind: 'consent_missing', planId: offer.plan.id, offers };
  const { terms, firstChargeAt, text } = offer.stated;
  const started = await createCheckout(
    ctx,
    {
      customerExternalId: viewer.customer.externalId,
      planId: offer.plan.id,
      provider: request.provider,
      // Where the provider's page sends browsers back to recur: the portal's cookie comes along (Lax, a top-level GET).
      returnUrl: `${ctx.payments!.publicBaseUrl}/portal`,
      consent: {
        termsVersion: SIGNUP_TERMS_VERSION,
        locale: viewer.locale,
        termsText: text,
        trialDays: terms.trialDays,
        priceMinor: terms.price.amountMinor,
        currency: terms.price.currency,
        interval: terms.interval,
        dueTodayMinor: terms.dueToday.amountMinor,
        firstChargeAt,
        consentedAt: ctx.clock.now(),
      },
    },
    portalActor(viewer),
  );
  return { kind: 'started', url: started.url };
}
