import { findSubscription, listSubscriptionsOfCustomer, type SubscriptionRecord } from '../../db/repositories/subscription-repository.ts';
import { notFound } from '../../shared/errors.ts';
import { cancelSubscription } from '../subscription-changes/cancel-subscription.ts';
import { resumeSubscription } from '../subscription-changes/resume-subscription.ts';
import type { Actor, ServiceContext } from '../service-context.ts';
import type { PortalViewer } from './read-portal-session.ts';

/**
 * What a portal session may see and change: its own customer's subscriptions, nothing else. An id
 * of another customer's subscription is answered exactly as an id that does not exist, so the
 * portal never tells whether it does.
 */
export const listPortalSubscriptions = (ctx: ServiceContext, viewer: PortalViewer): Promise<SubscriptionRecord[]> => listSubscriptionsOfCustomer(ctx.db, viewer.customer.id);

export async function findPortalSubscription(ctx: ServiceContext, viewer: PortalViewer, subscriptionId: string): Promise<SubscriptionRecord> {
  const subscription = await findSubscription(ctx.db, subscriptionId);
  if (!subscription || subscription.customerId !== viewer.customer.id) throw notFound('subscription', subscriptionId);
  return subscription;
}

/** Audit entries of the portal name the customer acting: `portal:{external id}`. */
export const portalActor = (viewer: PortalViewer): Actor => `portal:${viewer.customer.externalId}`;

/** The customer cancels at the end of the paid period, through the same service as the API (which confirms it by e-mail). */
export async function cancelFromPortal(ctx: ServiceContext, viewer: PortalViewer, subscriptionId: string): Promise<SubscriptionRecord> {
  const subscription = await findPortalSubscription(ctx, viewer, subscriptionId);
  return cancelSubscription(ctx, { subscriptionId: subscription.id, at: 'period_end' }, portalActor(viewer));
}

/** The customer undoes a cancel at period end, through the same service as the API. */
export async function resumeFromPortal(ctx: ServiceContext, viewer: PortalViewer, subscriptionId: string): Promise<SubscriptionRecord> {
  const subscription = await findPortalSubscription(ctx, viewer, subscriptionId);
  return resumeSubscription(ctx, subscription.id, portalActor(viewer));
}
