import type { SubscriptionRecord } from '../../db/repositories/subscription-repository.ts';
import { providerName } from '../../domain/provider.ts';
import { RecurError } from '../../shared/errors.ts';
import { requirePaymentProvider } from '../require-payment-provider.ts';
import type { ServiceContext } from '../service-context.ts';
import { openBillingPortal } from '../subscription-changes/open-billing-portal.ts';
import { findPortalSubscription, portalActor } from './portal-subscriptions.ts';
import type { PortalViewer } from './read-portal-session.ts';

/**
 * Where the customer changes what pays a subscription, as its provider's capabilities say: a
 * billing-portal session recur opens (Stripe), or the provider's own page in the payer's account
 * (PayPal), or nowhere recur knows of.
 */
export type PaymentMethodRoute = { kind: 'billing_portal' } | { kind: 'provider_page'; url: string } | { kind: 'none' };

export async function findPaymentMethodRoute(ctx: ServiceContext, viewer: PortalViewer, subscriptionId: string): Promise<{ subscription: SubscriptionRecord; route: PaymentMethodRoute }> {
  const subscription = await findPortalSubscription(ctx, viewer, subscriptionId);
  const provider = requirePaymentProvider(ctx, subscription.provider);
  if (provider.capabilities.billingPortal) return { subscription, route: { kind: 'billing_portal' } };
  if (provider.paymentMethodPageUrl) return { subscription, route: { kind: 'provider_page', url: provider.paymentMethodPageUrl } };
  return { subscription, route: { kind: 'none' } };
}

/**
 * Opens the provider's billing portal for the customer of the session, through the same service
 * as the API (audited as the customer's); it sends the customer back to the portal's overview
 * (the session cookie is still there). The URL is a credential: answered, never logged.
 */
export async function openPaymentMethodFromPortal(ctx: ServiceContext, viewer: PortalViewer, subscriptionId: string): Promise<{ url: string }> {
  const { subscription, route } = await findPaymentMethodRoute(ctx, viewer, subscriptionId);
  // Only a provider with a billing portal gets here from the page; a forged form is refused.
  if (route.kind !== 'billing_portal') throw new RecurError('not_supported_by_provider', `${providerName(subscription.provider)} has no billing portal`);
  const returnUrl = `${requirePaymentProvider(ctx, subscription.provider).publicBaseUrl}/portal`;
  return openBillingPortal(ctx, { customerExternalId: viewer.customer.externalId, returnUrl }, portalActor(viewer));
}
