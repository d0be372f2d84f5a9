import type Stripe from 'stripe';
import type { StripeRuntime } from '../runtime.ts';

/** The customer is done on the page: the session completes, paid or (a SEPA debit still processing) not yet. */
export function finishSession(rt: StripeRuntime, session: Stripe.Checkout.Session, paymentStatus: Stripe.Checkout.Session.PaymentStatus): void {
  session.status = 'complete';
  session.payment_status = paymentStatus;
  session.url = null;
  rt.events.record('checkout.session.completed', session);
}
