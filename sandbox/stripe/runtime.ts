import type Stripe from 'stripe';
import type { SandboxContext } from '../core/sandbox-provider.ts';
import type { EventLog } from './events/event-log.ts';
import type { StripeSettings } from './settings.ts';
import type { StripeState } from './state/stripe-state.ts';

/**
 * Time as each object sees it: objects of a customer made with `test_clock` live on that test
 * clock's time; everything else on the shared sandbox clock.
 */
export class Timekeeper {
  constructor(
    private readonly sandbox: SandboxContext,
    private readonly state: StripeState,
  ) {}

  sharedNow(): number {
    return this.sandbox.clock.nowSeconds();
  }

  clockOfCustomer(customerId: string | null | undefined): string | null {
    if (!customerId) return null;
    const clock = this.state.customers.get(customerId)?.test_clock;
    return typeof clock === 'string' ? clock : null;
  }

  nowOnClock(clockId: string | null): number {
    const clock = clockId ? this.state.testClockTimes.get(clockId) : undefined;
    return clock ? clock.nowSeconds() : this.sharedNow();
  }

  nowFor(customerId: string | null | undefined): number {
    return this.nowOnClock(this.clockOfCustomer(customerId));
  }
}

/** What every handler and service of the emulator works with. */
export type StripeRuntime = {
  state: StripeState;
  settings: StripeSettings;
  sandbox: SandboxContext;
  time: Timekeeper;
  events: EventLog;
  /** Told whenever a payment intent reaches a new outcome: invoices and checkout sessions follow their payments. */
  paymentIntentListeners: Array<(intent: Stripe.PaymentIntent) => void>;
};
