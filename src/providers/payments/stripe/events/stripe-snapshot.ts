import type { ProviderPayment, ProviderSubscription } from '../stripe-gateway.ts';

/**
 * What one Stripe event means for recur, read from Stripe in `prepare` (outside any transaction)
 * and written by `applyStripeSnapshot` inside the worker's transaction. Every handler produces one.
 */
export type StripeSnapshot = {
  providerCustomerId: string;
  metadataCustomerId: string | null;
  /** Stripe's customer, read only when recur has no link to it yet. */
  customerDetails: { email: string | null; name: string | null } | null;
  subscription: ProviderSubscription | null;
  payment: ProviderPayment | null;
  checkoutSession: { id: string; status: 'open' | 'complete' | 'expired' } | null;
  /** A fact to keep in the audit log once per event (dispute opened / closed). */
  note: { action: string; detail: Record<string, unknown> } | null;
};

export const emptySnapshot = (providerCustomerId: string): StripeSnapshot => ({
  providerCustomerId,
  metadataCustomerId: null,
  customerDetails: null,
  subscription: null,
  payment: null,
  checkoutSession: null,
  note: null,
});
