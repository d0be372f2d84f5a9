import type { PageRoutes } from '../register-pages.ts';
import { portalEntryRoutes } from './portal-entry-routes.ts';
import { createPortalPageKit } from './portal-page-kit.ts';
import { portalSubscriptionRoutes } from './portal-subscription-routes.ts';
import { portalPaymentMethodRoutes } from './portal-payment-method-routes.ts';
import { portalPaymentRoutes } from './portal-payment-routes.ts';
import { portalPlanRoutes } from './portal-plan-routes.ts';
import { portalSignupRoutes } from './portal-signup-routes.ts';
import { portalFormPolicy } from './portal-form-policy.ts';
import { portalLinkRequestRoutes } from './portal-link-request-routes.ts';
import { portalWithdrawalRoutes } from './portal-withdrawal-routes.ts';

// The portal's pages show a customer's subscription: no copy in caches, no address to the next site.
const PRIVATE_PAGE_HEADERS = { 'cache-control': 'no-store', 'referrer-policy': 'no-referrer' } as const;
const PICKER_PAGES: ReadonlySet<string> = new Set(['/portal', '/portal/signup']);

/** The customer portal (issue 15): its way in, and the pages of a session, in their own scopes. */
export const portalPages: PageRoutes = async (pages, ctx, renderer) => {
  const kit = createPortalPageKit(ctx, renderer);
  const formPolicy = portalFormPolicy(ctx);
  await pages.register(async (portal) => {
    portal.setErrorHandler(kit.answerError);
    portal.addHook('onSend', async (request, reply) => {
      reply.headers(PRIVATE_PAGE_HEADERS);
      // The pages that can show the plan picker, whose forms go on to the provider's checkout.
      if (PICKER_PAGES.has(request.routeOptions.url ?? '') && reply.hasHeader('content-security-policy')) reply.header('content-security-policy', formPolicy);
    });
    portalEntryRoutes(portal, ctx, kit);
    portalLinkRequestRoutes(portal, ctx, renderer, kit);
    await portal.register(async (withSession) => {
      portalSubscriptionRoutes(withSession, ctx, renderer, kit);
      portalPaymentRoutes(withSession, ctx, renderer, kit);
      portalPlanRoutes(withSession, ctx, renderer, kit);
      portalPaymentMethodRoutes(withSession, ctx, renderer, kit);
      portalSignupRoutes(withSession, ctx, renderer, kit);
      portalWithdrawalRoutes(withSession, ctx, renderer, kit);
    });
  });
};
