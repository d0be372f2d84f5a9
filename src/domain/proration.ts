import { addInterval } from './calendar-period.ts';
import { addMoney, createMoney, createZeroMoney, isSameCurrency, type Money } from './money.ts';
import { getPlanPrice, type Plan } from './plan.ts';
import type { SubscriptionStatus } from './subscription-status.ts';

export type ProrationSubscription = {
  status: SubscriptionStatus;
  plan: Plan;
  currentPeriodStart: Date;
  currentPeriodEnd: Date;
  trialEnd: Date | null;
};

/** `kind` lets a localized page word the line itself; `description` is the English fallback. */
export type ProrationLineItem = { kind: 'unused_time_credit' | 'new_plan_charge'; description: string; amount: Money };

export type PlanChangePreview =
  | {
      ok: true;
      kind: 'prorated';
      lineItems: ProrationLineItem[];
      /** Sum of the line items; negative when the credit outweighs the new charge. */
      total: Money;
      amountDueNow: Money;
      /** What a negative total leaves on the customer's balance for later invoices. */
      creditCarriedForward: Money;
      newPeriodStart: Date;
      newPeriodEnd: Date;
    }
  | {
      ok: true;
      kind: 'trial_continues';
      lineItems: ProrationLineItem[];
      amountDueNow: Money;
      creditCarriedForward: Money;
      trialEnd: Date | null;
    }
  | { ok: false; reason: 'same_plan' | 'currency_mismatch' | 'same_interval' | 'outside_current_period' }
  | { ok: false; reason: 'status_not_changeable'; status: SubscriptionStatus };

const MS_PER_SECOND = 1000;

/**
 * Previews a monthly <-> yearly switch the way Stripe bills it by default
 * (proration_behavior=create_prorations): because the interval changes, the billing cycle anchor
 * resets, so the customer is credited for the unused part of the old period and charged the full
 * new period now.
 */
export function previewPlanChange(subscription: ProrationSubscription, newPlan: Plan, now: Date): PlanChangePreview {
  const oldPlan = subscription.plan;
  if (oldPlan.id === newPlan.id) return { ok: false, reason: 'same_plan' };
  if (!isSameCurrency(oldPlan, newPlan)) return { ok: false, reason: 'currency_mismatch' };
  // With an unchanged interval Stripe keeps the anchor and bills prorations at the next renewal,
  // not now; this preview does not model that, and saying so beats a wrong number.
  if (oldPlan.interval === newPlan.interval) return { ok: false, reason: 'same_interval' };

  if (subscription.status === 'trialing') {
    // Nothing has been paid yet, so there is nothing to credit; the trial keeps its end date.
    const zero = createZeroMoney(newPlan.currency);
    return {
      ok: true,
      kind: 'trial_continues',
      lineItems: [],
      amountDueNow: zero,
      creditCarriedForward: zero,
      trialEnd: subscription.trialEnd,
    };
  }
  // Crediting unused time is only fair for a period that was paid for and is still running.
  if (subscription.status !== 'active') {
    return { ok: false, reason: 'status_not_changeable', status: subscription.status };
  }

  const { currentPeriodStart: start, currentPeriodEnd: end } = subscription;
  if (now.getTime() < start.getTime() || now.getTime() >= end.getTime()) {
    return { ok: false, reason: 'outside_current_period' };
  }

  // Stripe prorates to the second; whole seconds keep the ratio an integer one.
  const periodSeconds = toSeconds(end) - toSeconds(start);
  const remainingSeconds = toSeconds(end) - toSeconds(now);
  const unusedMinor = Math.round((oldPlan.amountMinor * remainingSeconds) / periodSeconds);
  const credit = createMoney(-unusedMinor, oldPlan.currency);
  const charge = getPlanPrice(newPlan);
  const newPeriodEnd = addInterval(now, newPlan.interval, 1);
  const lineItems: ProrationLineItem[] = [
    { kind: 'unused_time_credit', description: `Unused time on ${oldPlan.name} after ${formatDay(now)}`, amount: credit },
    { kind: 'new_plan_charge', description: `${newPlan.name} (${formatDay(now)} – ${formatDay(newPeriodEnd)})`, amount: charge },
  ];
  const total = addMoney(credit, charge);
  return {
    ok: true,
    kind: 'prorated',
    lineItems,
    total,
    amountDueNow: createMoney(Math.max(total.amountMinor, 0), total.currency),
    creditCarriedForward: createMoney(Math.max(-total.amountMinor, 0), total.currency),
    newPeriodStart: new Date(now.getTime()),
    newPeriodEnd,
  };
}

function toSeconds(date: Date): number {
  return Math.floor(date.getTime() / MS_PER_SECOND);
}

function formatDay(date: Date): string {
  return date.toISOString().slice(0, 10);
}
