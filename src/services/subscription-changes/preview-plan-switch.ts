import type { PriceChangePreviewLine } from '../../providers/payments/stripe/stripe-subscription-changes-gateway.ts';
import type { ServiceContext } from '../service-context.ts';
import { findPlanSwitch } from './switchable-subscription.ts';

export type PlanSwitchPreview = {
  subscriptionId: string;
  fromPlan: string;
  toPlan: string;
  amountDue: { amountMinor: number; currency: string };
  /** Pass it to the switch to be charged exactly this amount. */
  prorationDate: Date;
  lines: PriceChangePreviewLine[];
  nextRenewal: { at: Date; amountMinor: number; currency: string };
};

/** What switching would charge now, line by line, and when and for how much it renews after. Changes nothing. */
export async function previewPlanSwitch(ctx: ServiceContext, subscriptionId: string, planId: string): Promise<PlanSwitchPreview> {
  const change = await findPlanSwitch(ctx, subscriptionId, planId);
  const preview = await change.stripe.gateway.previewPriceChange({ subscriptionId: change.subscription.providerSubscriptionId, priceId: change.toPriceId, prorationDate: null });
  return {
    subscriptionId: change.subscription.id,
    fromPlan: change.from.id,
    toPlan: change.to.id,
    amountDue: { amountMinor: preview.amountDueMinor, currency: preview.currency },
    prorationDate: preview.prorationDate,
    lines: preview.lines,
    nextRenewal: { at: preview.nextRenewalAt, amountMinor: change.to.amountMinor, currency: change.to.currency },
  };
}
