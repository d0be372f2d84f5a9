import type { TimeDriven } from '../../core/time-scheduler.ts';
import type { StripeRuntime } from '../runtime.ts';
import { subscriptionIdOf } from '../state/stripe-state.ts';
import { payInvoice } from './invoice-lifecycle.ts';
import { subscriptionActions, type SubscriptionAction } from './renew-subscription.ts';
import { runTimer } from './timer-handlers.ts';

const MAX_ACTIONS_PER_RUN = 100_000;

/**
 * The clock-driven side of Stripe Billing: renewals, trial ends, notices, payment retries and
 * one-off timers. One instance serves the shared clock (clockId null) and every test clock: each
 * clock only moves the subscriptions of customers made with it.
 */
export class BillingEngine {
  constructor(private readonly rt: StripeRuntime) {}

  /** The engine as a party of the core scheduler, for one clock. */
  party(clockId: string | null): TimeDriven {
    return {
      nextDueAt: () => {
        const at = this.nextAt(clockId);
        return at === null ? null : new Date(at * 1000);
      },
      runDue: async (now) => this.runDue(clockId, Math.floor(now.getTime() / 1000)),
    };
  }

  nextAt(clockId: string | null): number | null {
    let earliest: number | null = null;
    for (const action of this.actions(clockId)) if (earliest === null || action.at < earliest) earliest = action.at;
    return earliest;
  }

  /**
   * Runs everything due at or before `now` in time order. Each round takes the earliest due action
   * of every subject (a subscription with its invoices, or a timer), since running one may change
   * what that subject does next; rounds repeat until nothing is due.
   */
  runDue(clockId: string | null, now: number): void {
    let ran = 0;
    for (;;) {
      const earliest = new Map<string, SubscriptionAction>();
      for (const action of this.actions(clockId)) {
        if (action.at > now) continue;
        const current = earliest.get(action.subject);
        if (!current || action.at < current.at || (action.at === current.at && action.rank < current.rank)) earliest.set(action.subject, action);
      }
      if (earliest.size === 0) return;
      for (const action of [...earliest.values()].sort((a, b) => a.at - b.at || a.rank - b.rank)) action.run();
      ran += earliest.size;
      if (ran > MAX_ACTIONS_PER_RUN) throw new Error('the Stripe billing engine made no progress');
    }
  }

  private actions(clockId: string | null): SubscriptionAction[] {
    const { state, time } = this.rt;
    const actions: SubscriptionAction[] = [];
    for (const subscription of state.subscriptions.all()) {
      if (time.clockOfCustomer(String(subscription.customer)) === clockId) actions.push(...subscriptionActions(this.rt, subscription));
    }
    for (const invoice of state.invoices.all()) {
      if (invoice.status !== 'open' || invoice.next_payment_attempt === null || time.clockOfCustomer(String(invoice.customer)) !== clockId) continue;
      const subscriptionId = subscriptionIdOf(invoice);
      const subscription = subscriptionId ? state.subscriptions.get(subscriptionId) : undefined;
      if (subscription && (subscription.status === 'canceled' || subscription.status === 'incomplete_expired')) {
        invoice.next_payment_attempt = null;
        continue;
      }
      actions.push({
        at: invoice.next_payment_attempt,
        rank: 5,
        subject: subscriptionId ?? invoice.id,
        run: () => {
          if (invoice.status === 'open' && invoice.next_payment_attempt !== null) payInvoice(this.rt, invoice, { offSession: true, fromApi: false });
        },
      });
    }
    for (const timer of state.timers) {
      if (timer.clockId !== clockId) continue;
      actions.push({
        at: timer.at,
        rank: 6,
        subject: `timer ${timer.seq}`,
        run: () => {
          state.timers = state.timers.filter((other) => other !== timer);
          runTimer(this.rt, timer);
        },
      });
    }
    return actions;
  }
}
