import type { BillingInterval } from '../../domain/plan.ts';
import type { CheckoutOwner, NewCheckoutSession, NewProviderCustomer, OpenCheckoutSession, ProviderCheckoutSession, ProviderPayment, ProviderPrice, ProviderSubscription } from './provider-objects.ts';

/** A checkout captured by recur (`ProviderCheckoutSession.awaitingCapture`), or why no money moved. */
export type CheckoutCapture = { kind: 'captured'; session: ProviderCheckoutSession } | { kind: 'declined'; reason: string } | { kind: 'not_approved' };

/**
 * Catalogue (products and prices), customers, checkout, and the reads the event processor and the
 * checkout return make. One part of ProviderOperations (provider-operations.ts).
 */
export interface CoreOperations {
  findPriceByLookupKey(lookupKey: string): Promise<ProviderPrice | null>;
  findOrCreateProduct(planId: string, name: string): Promise<{ id: string; created: boolean }>;
  /** `trialDays`: the catalogue's trial, for a provider whose prices carry it (PayPal); others ignore it. */
  createPrice(input: { productId: string; lookupKey: string; amountMinor: number; currency: string; interval: BillingInterval; trialDays: number; idempotencyKey: string }): Promise<ProviderPrice>;
  createCustomer(customer: NewProviderCustomer): Promise<{ id: string }>;
  createCheckoutSession(session: NewCheckoutSession): Promise<{ id: string; url: string }>;
  /** The open checkouts (subscription and one-time) recur made for the owner, newest first. */
  listOpenCheckoutSessions(owner: CheckoutOwner): Promise<OpenCheckoutSession[]>;
  /** Expires an open session; a session that was no longer open answers the status it has. */
  expireCheckoutSession(id: string): Promise<'expired' | 'complete'>;
  /** null when the provider does not know the id (a forged or foreign session). */
  retrieveCheckoutSession(id: string): Promise<ProviderCheckoutSession | null>;
  /**
   * Takes the money of a checkout the buyer approved and the provider leaves to the merchant to
   * collect (`awaitingCapture`), once whatever the number of calls; a checkout captured already
   * answers as it is. Only called for such a checkout (never for Stripe's, which collect themselves).
   */
  captureCheckoutSession(id: string): Promise<CheckoutCapture>;
  /**
   * Makes the card a customer pays a held invoice with on the provider's page the subscription's
   * default for later renewals, once whatever the number of calls. Providers without that choice
   * leave it out.
   */
  keepCardThatPays?(providerSubscriptionId: string): Promise<void>;
  /** With `pastDueSince` read when the provider says past_due or unpaid. */
  retrieveSubscription(id: string): Promise<ProviderSubscription | null>;
  retrievePayment(paymentIntentId: string): Promise<ProviderPayment | null>;
  /**
   * The invoice's customer, its subscription (as the provider holds it now, expanded in the same read) and
   * the payment (PaymentIntent) that pays it, if any; null when the provider does not know the invoice.
   * `authenticationUrl`: the provider's page where the customer completes a payment that waits for
   * strong customer authentication (3D Secure), while the invoice is open and its payment waits; else null.
   */
  retrieveInvoicePayment(
    invoiceId: string,
  ): Promise<{ providerCustomerId: string | null; subscriptionId: string | null; subscription: ProviderSubscription | null; payment: ProviderPayment | null; authenticationUrl: string | null } | null>;
  /** With the recur id recur wrote into the customer's metadata, if any; null for an unknown or deleted customer. */
  retrieveCustomer(id: string): Promise<{ id: string; email: string | null; name: string | null; recurCustomerId: string | null } | null>;
}
