import type Stripe from 'stripe';
import { completeCheckout } from '../hosted/complete-checkout.ts';
import { resolvePaymentMethod } from '../payments/payment-methods.ts';
import type { StripeRuntime } from '../runtime.ts';
import type { ParamSpec } from '../wire/accepted-params.ts';
import { declareRoutes, type RouteTable } from '../wire/api-routes.ts';
import { optionalInt, requireString } from '../wire/params.ts';
import { stripeErrors } from '../wire/stripe-error.ts';

/** The view of a session that Stripe.js (and `stripe trigger`) reads before confirming. */
function paymentPage(rt: StripeRuntime, session: Stripe.Checkout.Session) {
  return {
    id: session.id,
    object: 'checkout.session',
    livemode: false,
    mode: session.mode,
    status: session.status,
    currency: session.currency,
    amount_total: session.amount_total,
    customer_email: session.customer_email,
    payment_method_types: session.payment_method_types,
    success_url: session.success_url,
    cancel_url: session.cancel_url,
    line_item_group: {
      currency: session.currency,
      subtotal: session.amount_subtotal,
      total: session.amount_total,
      line_items: structuredClone(rt.state.checkoutPlans.get(session.id)?.lineItems ?? []),
    },
  };
}

/** What each route accepts (besides `expand`); anything else is answered 400 `parameter_unknown`. */
// Stripe.js's own endpoints, which the SDK has no types for: what the hosted checkout page sends.
const ACCEPTS = {
  'GET /payment_pages/:id': {},
  'POST /payment_pages/:id/confirm': { expected_amount: true, payment_method: true },
} satisfies Record<string, ParamSpec>;

/** Stripe's internal payment page endpoints, used by the CLI's checkout triggers. */
export function paymentPageRoutes(rt: StripeRuntime): RouteTable {
  const { state } = rt;
  return declareRoutes(ACCEPTS, {
    'GET /payment_pages/:id': ({ path }) => paymentPage(rt, state.checkoutSessions.require(path.id!)),
    'POST /payment_pages/:id/confirm': ({ path, params }) => {
      const session = state.checkoutSessions.require(path.id!);
      const expected = optionalInt(params, 'expected_amount');
      if (expected !== undefined && expected !== session.amount_total) {
        throw stripeErrors.invalidRequest(`The expected_amount (${expected}) does not match the amount of this Checkout Session (${session.amount_total}).`, 'expected_amount');
      }
      const paymentMethod = resolvePaymentMethod(rt, requireString(params, 'payment_method'), 'payment_method');
      const outcome = completeCheckout(rt, session, { paymentMethod });
      if (outcome.kind === 'declined') throw outcome.error;
      return session;
    },
  });
}
