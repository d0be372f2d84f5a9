import type { PaypalRuntime } from './runtime.ts';
import { runSubscriptionDue, subscriptionDueAt } from './subscription-billing.ts';
import { disputeDueAt, runDisputesDue } from './dispute-lifecycle.ts';

/** The PayPal emulator as a party of the shared clock: subscription cycles and retries, dispute steps. */
export function paypalDue(rt: PaypalRuntime): { nextDueAt: () => Date | null; runDue: (now: Date) => Promise<void> } {
  const earliest = (): number | null => {
    let first: number | null = null;
    for (const subscription of Object.values(rt.data.subscriptions)) {
      const at = subscriptionDueAt(subscription);
      if (at !== null && (first === null || at < first)) first = at;
    }
    const dispute = disputeDueAt(rt);
    if (dispute !== null && (first === null || dispute < first)) first = dispute;
    return first;
  };
  return {
    nextDueAt: () => {
      const at = earliest();
      return at === null ? null : new Date(at);
    },
    runDue: async (now) => {
      for (const subscription of Object.values(rt.data.subscriptions)) {
        const at = subscriptionDueAt(subscription);
        if (at !== null && at <= now.getTime()) runSubscriptionDue(rt, subscription, now);
      }
      runDisputesDue(rt, now);
    },
  };
}
