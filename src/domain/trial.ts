import { addDays } from './calendar-period.ts';
import type { Money } from './money.ts';
import { getPlanPrice, type Plan } from './plan.ts';

export type AutoRenewStart = { kind: 'trial_until'; trialEnd: Date } | { kind: 'charge_now' };

export type FirstCharge = { at: Date; amount: Money };

/** Trial days are UTC calendar days from the start, keeping its time of day. 0 days is no trial. */
export function trialEndFor(start: Date, trialDays: number): Date | null {
  if (!Number.isSafeInteger(trialDays) || trialDays < 0) {
    throw new RangeError(`trialDays must be a whole number >= 0, got ${trialDays}`);
  }
  if (trialDays === 0) return null;
  return addDays(start, trialDays);
}

/**
 * Turning auto-renew on for a customer who already paid until `paidUntil`: the provider
 * subscription gets a trial that ends exactly then, so the first charge falls where the paid time
 * runs out and nobody pays twice for the same days. Once that moment has passed (including exactly
 * now) there is nothing left to bridge, so the subscription is charged at once.
 */
export function planAutoRenewStart(now: Date, paidUntil: Date): AutoRenewStart {
  if (paidUntil.getTime() > now.getTime()) return { kind: 'trial_until', trialEnd: new Date(paidUntil.getTime()) };
  return { kind: 'charge_now' };
}

/** When a new subscription on `plan` first charges, and how much, for the notices sent beforehand. */
export function firstCharge(plan: Plan, start: Date): FirstCharge {
  const trialEnd = trialEndFor(start, plan.trialDays);
  return { at: trialEnd ?? new Date(start.getTime()), amount: getPlanPrice(plan) };
}
