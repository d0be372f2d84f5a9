import type Stripe from 'stripe';

/** Changes recur asks Stripe for on a customer's behalf: switch plan (with a preview), cancel, resume, trial extension, billing portal. */
export type StripeSubscriptionChangesGateway = Record<never, never>;

export function createStripeSubscriptionChangesGateway(stripe: Stripe): StripeSubscriptionChangesGateway {
  void stripe;
  return {};
}
