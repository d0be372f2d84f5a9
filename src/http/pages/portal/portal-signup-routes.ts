import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { PROVIDER_IDS } from '../../../domain/provider.ts';
import type { PortalViewer } from '../../../services/portal/read-portal-session.ts';
import { readSignupOffers } from '../../../services/portal/signup-offers.ts';
import { startPortalCheckout } from '../../../services/portal/start-portal-checkout.ts';
import type { ServiceContext } from '../../../services/service-context.ts';
import type { PageLocale } from '../../render-html-page.ts';
import type { PageRenderer } from '../page-renderer.ts';
import { viewPlanPicker, type PlanPickerView } from './plan-picker-view.ts';
import type { PortalPageKit } from './portal-page-kit.ts';
import { csrfTokenOf } from './portal-session-cookie.ts';
import { portalText } from './portal-text.ts';
import { signupText } from './signup-text.ts';

// An unticked box sends no field at all; the other fields come from the page's own form.
const signupForm = z.object({
  csrf: z.string(),
  plan: z.string().min(1).max(40),
  provider: z.enum(PROVIDER_IDS),
  terms: z.string().max(64),
  consent: z.literal('yes').optional(),
});

/** The plan picker for a customer without a live subscription; null when they have one (or nothing can be sold). */
export async function readPlanPicker(ctx: ServiceContext, viewer: PortalViewer, csrf: string): Promise<PlanPickerView | null> {
  const offers = await readSignupOffers(ctx, viewer);
  return offers.kind === 'offers' ? viewPlanPicker(offers, viewer.locale, csrf) : null;
}

/** The banner after coming back from the provider's page (`checkout=` is what recur's return route adds). */
export function checkoutNotice(locale: PageLocale, outcome: string | undefined, pickerShown: boolean): string | null {
  const words = signupText(locale);
  if (outcome === 'success' && !pickerShown) return words.checkoutSuccess;
  if (outcome === 'pending') return words.checkoutPending;
  if ((outcome === 'canceled' || outcome === 'declined') && pickerShown) return words.checkoutCanceled;
  return null;
}

/**
 * `POST /portal/signup`, the picker's button: on to the provider's hosted page (303) with the
 * consent recorded, or the picker again saying what is missing (nothing ordered). The session
 * check and CSRF token are the portal's (portal-subscription-routes.ts), registered in this scope.
 */
export function portalSignupRoutes(app: FastifyInstance, ctx: ServiceContext, renderer: PageRenderer, kit: PortalPageKit): void {
  app.withTypeProvider<ZodTypeProvider>().post('/portal/signup', { schema: { hide: true, body: signupForm } }, async (request, reply) => {
    const { viewer, sessionId } = request.portal!;
    const { plan, provider, terms, consent } = request.body;
    const outcome = await startPortalCheckout(ctx, viewer, { planId: plan, provider, termsDigest: terms, consent: consent === 'yes' });
    switch (outcome.kind) {
      case 'started':
        return reply.redirect(outcome.url, 303);
      case 'unavailable':
        // A live subscription meanwhile (another tab), or a plan or provider the picker does not offer.
        return reply.redirect('/portal', 303);
      case 'consent_missing':
      case 'terms_changed': {
        if (outcome.offers.kind !== 'offers') return reply.redirect('/portal', 303);
        const picker = viewPlanPicker(outcome.offers, viewer.locale, csrfTokenOf(sessionId), { planId: outcome.planId, kind: outcome.kind, provider });
        const words = signupText(viewer.locale);
        const html = renderer.render('portal/signup', { locale: viewer.locale, title: words.pickerTitle, backUrl: viewer.returnUrl }, { heading: portalText(viewer.locale).overviewTitle, picker, backToOverview: portalText(viewer.locale).backToOverview });
        return kit.send(reply, outcome.kind === 'consent_missing' ? 400 : 409, html);
      }
    }
  });
}
