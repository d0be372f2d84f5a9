import type Stripe from 'stripe';

/** Reading Stripe page by page for reconciliation, and repairing the Stripe side (customer e-mail). */
export type StripeReconciliationGateway = Record<never, never>;

export function createStripeReconciliationGateway(stripe: Stripe): StripeReconciliationGateway {
  void stripe;
  return {};
}
