import type { PriceChangePreview, PriceChangePreviewLine } from '../../providers/payments/subscription-change-operations.ts';
import { RecurError } from '../../shared/errors.ts';
import type { ServiceContext } from '../service-context.ts';
import { findPlanSwitch, type PlanSwitch } from './switchable-subscription.ts';

type Amount = { amountMinor: number; currency: string };

export type PlanSwitchPreview = {
  subscriptionId: string;
  fromPlan: string;
  toPlan: string;
  /** Charged when the switch is made (zero while a trial continues). */
  amountDue: Amount;
  /** Pass it to the switch to be charged exactly this amount. */
  prorationDate: Date;
  /** The lines of what is charged now; none while a trial continues. */
  lines: PriceChangePreviewLine[];
  /** When it renews next and what that renewal charges; null when it is set to end instead. */
  nextRenewal: (Amount & { at: Date }) | null;
  /** When it ends instead of renewing (set to cancel at period end), else null. */
  endsAt: Date | null;
  /** What the customer's credit balance holds after the switch, for later invoices. */
  creditCarriedForward: Amount;
};

/** What switching would charge now, line by line, and when and for how much it renews after. Changes nothing. */
export async function previewPlanSwitch(ctx: ServiceContext, subscriptionId: string, planId: string): Promise<PlanSwitchPreview> {
  const change = await findPlanSwitch(ctx, subscriptionId, planId);
  const preview = await change.provider.gateway.previewPriceChange({ start: change.start, priceId: change.toPriceId, prorationDate: null });
  const currency = preview.currency;
  const base = { subscriptionId: change.subscription.id, fromPlan: change.from.id, toPlan: change.to.id, prorationDate: preview.prorationDate };
  if (change.rule.billing === 'trial_continues') {
    // Stripe's preview is then the invoice at the end of the trial, at the new plan's price.
    const trialEnd = requireTrialEnd(change);
    const renews = change.rule.afterwards === 'renews';
    return {
      ...base,
      amountDue: { amountMinor: 0, currency },
      lines: [],
      nextRenewal: renews ? { at: trialEnd, amountMinor: preview.amountDueMinor, currency } : null,
      endsAt: renews ? null : trialEnd,
      creditCarriedForward: { amountMinor: Math.max(0, -preview.startingBalanceMinor), currency },
    };
  }
  if (change.rule.billing === 'next_cycle') {
    // Nothing now; the new price from the next billing (the provider's preview is that invoice), no proration.
    const renews = change.rule.afterwards === 'renews';
    return {
      ...base,
      amountDue: { amountMinor: 0, currency },
      lines: [],
      nextRenewal: renews ? { at: preview.prorationDate, amountMinor: preview.amountDueMinor, currency } : null,
      endsAt: renews ? null : preview.prorationDate,
      creditCarriedForward: { amountMinor: 0, currency },
    };
  }
  const credit = creditAfter(preview);
  const renews = change.rule.afterwards === 'renews';
  return {
    ...base,
    amountDue: { amountMinor: preview.amountDueMinor, currency },
    lines: preview.lines,
    // The credit left by the switch pays the renewal first.
    nextRenewal: renews ? { at: preview.periodEnd, amountMinor: Math.max(0, change.to.amountMinor - credit), currency } : null,
    endsAt: renews ? null : preview.periodEnd,
    creditCarriedForward: { amountMinor: credit, currency },
  };
}

/** Stripe keeps what an invoice does not use of a credit balance (or a negative total) for the next invoices. */
function creditAfter(preview: PriceChangePreview): number {
  return Math.max(0, -(preview.totalMinor + preview.startingBalanceMinor));
}

function requireTrialEnd(change: PlanSwitch): Date {
  const trialEnd = change.start.subscription.trialEnd;
  if (!trialEnd) throw new RecurError('provider_failure', `Stripe says subscription ${change.start.subscription.id} is trialing but gives no trial end`);
  return trialEnd;
}
