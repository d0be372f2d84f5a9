import type { SubscriptionRecord } from '../../db/repositories/subscription-repository.ts';
import { requirePaymentProvider } from '../require-payment-provider.ts';
import type { ServiceContext } from '../service-context.ts';
import { previewPlanSwitch, type PlanSwitchPreview } from '../subscription-changes/preview-plan-switch.ts';
import { switchPlan } from '../subscription-changes/switch-plan.ts';
import { findPortalSubscription, portalActor } from './portal-subscriptions.ts';
import type { PortalViewer } from './read-portal-session.ts';

/**
 * The preview of a plan switch for the customer's own subscription, from the same service as the
 * API. `prorates` false: the provider switches from the next billing cycle (PayPal), nothing now.
 */
export async function previewSwitchFromPortal(ctx: ServiceContext, viewer: PortalViewer, subscriptionId: string, planId: string): Promise<{ subscription: SubscriptionRecord; preview: PlanSwitchPreview; prorates: boolean }> {
  const subscription = await findPortalSubscription(ctx, viewer, subscriptionId);
  const preview = await previewPlanSwitch(ctx, subscription.id, planId);
  return { subscription, preview, prorates: requirePaymentProvider(ctx, subscription.provider).capabilities.prorateOnPlanSwitch };
}

/**
 * The customer confirms the preview. With the preview's proration date the charge is exactly the
 * previewed amount; switchPlan's idempotency key is built from the subscription's state, so a
 * second press of the button (same form) asks the provider once. A subscription already on the
 * plan is answered as switched: that is what the customer asked for.
 */
export async function switchFromPortal(ctx: ServiceContext, viewer: PortalViewer, input: { subscriptionId: string; planId: string; prorationDate: Date | null }): Promise<SubscriptionRecord> {
  const subscription = await findPortalSubscription(ctx, viewer, input.subscriptionId);
  if (subscription.planId === input.planId) return subscription;
  const prorates = requirePaymentProvider(ctx, subscription.provider).capabilities.prorateOnPlanSwitch;
  const switched = await switchPlan(ctx, { subscriptionId: subscription.id, planId: input.planId, prorationDate: prorates ? input.prorationDate : null }, portalActor(viewer));
  return switched.subscription;
}
