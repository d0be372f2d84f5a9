import type { SubscriptionStatus } from './subscription-status.ts';

/** The subscription a switch starts from, as the provider holds it at that moment. */
export type PlanSwitchStart = { status: SubscriptionStatus; cancelAtPeriodEnd: boolean };

/**
 * What switching plans does to a subscription in a given state, the way Stripe bills a switch with
 * always_invoice. The preview and the switch both follow this one decision, so the preview can
 * only promise what the switch then does.
 * - `trial_continues`: nothing is charged now; the trial keeps its end, and the first charge at
 *   that moment is for the new plan.
 * - `invoiced_now`: the difference is invoiced and charged at once (unused time credited).
 * - `next_cycle`: where the provider cannot prorate (PayPal's revision), nothing is charged now and
 *   the new plan's price is charged from the next billing on.
 * - `ends`: the subscription is set to cancel at period end and stays so; the (new) period end is
 *   when it ends, not when it renews.
 */
export type PlanSwitchRule =
  | { allowed: true; billing: 'trial_continues' | 'invoiced_now' | 'next_cycle'; afterwards: 'renews' | 'ends' }
  | { allowed: false; why: string };

export function decidePlanSwitch(start: PlanSwitchStart, provider: { prorates: boolean } = { prorates: true }): PlanSwitchRule {
  const afterwards = start.cancelAtPeriodEnd ? 'ends' : 'renews';
  switch (start.status) {
    case 'trialing':
      return { allowed: true, billing: 'trial_continues', afterwards };
    case 'active':
      return { allowed: true, billing: provider.prorates ? 'invoiced_now' : 'next_cycle', afterwards };
    case 'past_due':
      // A switch would credit unused time of a period that was never paid and charge a second
      // invoice beside the failed one: the open invoice is paid first (a new card through the billing portal).
      return { allowed: false, why: 'is past_due: its open invoice must be paid first (update the card through the billing portal), then switch' };
    default:
      return { allowed: false, why: `is ${start.status}; only an active or trialing subscription can switch plans` };
  }
}
