import type { ProviderPayment, ProviderSubscription } from './provider-objects.ts';
import type { ProviderDispute, ProviderRefund } from './risk-operations.ts';

/**
 * What one provider event means for recur, read from the provider in `prepare` (outside any transaction)
 * and written by `applyProviderSnapshot` inside the worker's transaction. Every handler produces one.
 */
export type ProviderSnapshot = {
  providerCustomerId: string;
  metadataCustomerId: string | null;
  /**
   * The recur customer already linked to the provider customer when the event was prepared.
   * A link is never moved or removed, so the write need not look it up again.
   */
  linkedCustomerId: string | null;
  /** Stripe's customer, read only when recur has no link to it yet. */
  customerDetails: { email: string | null; name: string | null } | null;
  subscription: ProviderSubscription | null;
  payment: ProviderPayment | null;
  checkoutSession: { id: string; status: 'open' | 'complete' | 'expired' } | null;
  /** A one-time checkout: the prepaid time recur wrote into it, bought by `payment` once paid. */
  prepaid: { planId: string; periods: number } | null;
  /** A fact to keep in the audit log once per event (dispute opened / closed). */
  note: { action: string; detail: Record<string, unknown> } | null;
  /** A failed charge (charge.failed) with Stripe's failure code: the fraud review counts declines. */
  failedCharge: { id: string; failureCode: string | null } | null;
  /** The dispute as Stripe holds it now (charge.dispute.*). */
  dispute: ProviderDispute | null;
  /**
   * Refunds of `payment` as the provider holds them now (a refund's events, a refunded charge's),
   * read before `payment`, so the payment's refunded total is at least as new as they are. Each
   * gets recur's refund row: the one recur asked for it by, or a new one for a refund made at the
   * provider.
   */
  refunds?: readonly ProviderRefund[];
  /**
   * `payment` waits for the customer's strong authentication, completed at `url` (Stripe's hosted
   * invoice page): a bearer link to pay, so it goes to the customer and into no log.
   */
  paymentAction?: { url: string } | null;
  /** The SEPA mandate a checkout without a first payment (a trial) set up for the subscription's debits. */
  mandateReference?: string | null;
};

export const emptySnapshot = (providerCustomerId: string): ProviderSnapshot => ({
  providerCustomerId,
  metadataCustomerId: null,
  linkedCustomerId: null,
  customerDetails: null,
  subscription: null,
  payment: null,
  checkoutSession: null,
  prepaid: null,
  note: null,
  failedCharge: null,
  dispute: null,
});
