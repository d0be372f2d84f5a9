import type Stripe from 'stripe';

/** Fraud and dispute actions: declined charges of a customer, refunds, cancellations, closing disputes. */
export type StripeRiskGateway = Record<never, never>;

export function createStripeRiskGateway(stripe: Stripe): StripeRiskGateway {
  void stripe;
  return {};
}
