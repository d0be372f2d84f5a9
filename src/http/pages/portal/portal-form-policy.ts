import type { ServiceContext } from '../../../services/service-context.ts';
import { pageContentSecurityPolicy } from '../page-theme.ts';

/**
 * The portal's policy: the pages' own, except that a form may lead on to a payment provider's
 * hosted page. Browsers hold the redirect that answers a form post to `form-action` too, so the
 * plan picker's 303 to Stripe Checkout or PayPal's approval page needs their origins: any https
 * origin (checkout.stripe.com, paypal.com, a shop's custom checkout domain) and, key-less, the
 * sandbox's origin (STRIPE_API_BASE), as the notice links' payment page allows.
 */
export function portalFormPolicy(ctx: ServiceContext): string {
  const apiBase = ctx.config.STRIPE_API_BASE;
  const targets = ["'self'", 'https:', ...(apiBase ? [new URL(apiBase).origin] : [])].join(' ');
  return pageContentSecurityPolicy(ctx.config.catalogue.pages).replace("form-action 'self'", `form-action ${targets}`);
}
