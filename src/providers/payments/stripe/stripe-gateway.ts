import type { BillingInterval } from '../../../domain/plan.ts';
import type { StripeReconciliationGateway } from './stripe-reconciliation-gateway.ts';
import type { StripeRiskGateway } from './stripe-risk-gateway.ts';
import type { StripeSubscriptionChangesGateway } from './stripe-subscription-changes-gateway.ts';

/**
 * What recur needs from Stripe, in recur's own types. The SDK stays behind this interface
 * (create-stripe-gateway.ts); services and the event processor only see these shapes.
 */
export type PaymentStatus = 'pending' | 'succeeded' | 'failed' | 'refunded' | 'partially_refunded' | 'disputed';

export type ProviderSubscription = {
  id: string;
  providerCustomerId: string;
  /** Stripe's raw status; the domain maps it. */
  status: string;
  priceId: string | null;
  priceLookupKey: string | null;
  trialEnd: Date | null;
  currentPeriodStart: Date | null;
  currentPeriodEnd: Date | null;
  cancelAtPeriodEnd: boolean;
  canceledAt: Date | null;
  metadata: Record<string, string>;
  /**
   * When the failure incident began, from the provider's records (the first failed charge of the
   * oldest unpaid invoice), never from an event's time. null: not past due, or the provider holds
   * no such fact. Absent: this read did not ask (lists, objects a change or cancel returned).
   */
  pastDueSince?: Date | null;
};

/**
 * One payment, keyed by the PaymentIntent id: invoices, charges, refunds and disputes all lead
 * back to one PaymentIntent, and a retried invoice payment keeps it, so it is the stable key.
 */
export type ProviderPayment = {
  id: string;
  providerCustomerId: string | null;
  providerSubscriptionId: string | null;
  amountMinor: number;
  currency: string;
  amountRefundedMinor: number;
  status: PaymentStatus;
  methodSummary: string | null;
  at: Date;
  /** When it was paid: the succeeded charge's time (a retry's, when a retry paid it). */
  paidAt: Date | null;
  /** When it first failed: its first failed charge's time, however many retries failed since. */
  failedAt: Date | null;
};

export type ProviderCheckoutSession = {
  id: string;
  created: Date;
  status: 'open' | 'complete' | 'expired';
  paymentStatus: 'paid' | 'unpaid' | 'no_payment_required';
  providerCustomerId: string | null;
  clientReferenceId: string | null;
  metadata: Record<string, string>;
  subscription: ProviderSubscription | null;
  /** The first invoice's payment, when there is one. */
  firstPayment: ProviderPayment | null;
};

export type ProviderPrice = { id: string; productId: string; lookupKey: string | null; amountMinor: number; currency: string; interval: BillingInterval | null; active: boolean };

export type NewProviderCustomer = { recurCustomerId: string; externalId: string; email: string; name: string | null; locale: string };

export type NewCheckoutSession = {
  providerCustomerId: string;
  priceId: string;
  trialDays: number;
  recurCustomerId: string;
  planId: string;
  successUrl: string;
  cancelUrl: string;
  locale: string;
  /** Shown above the pay button (Checkout's `custom_text.submit`): the terms in the customer's words. */
  submitMessage: string | null;
  idempotencyKey: string;
};

/** An open subscription Checkout of one Stripe customer, newest first when listed. */
export type OpenCheckoutSession = { id: string; created: Date; url: string | null; recurCustomerId: string | null; planId: string | null };

/**
 * The whole gateway: the core below (catalogue, checkout, reads for webhooks) and one part per
 * concern, each in its own file with its own implementation.
 */
export type StripeGateway = StripeCoreGateway & StripeReconciliationGateway & StripeSubscriptionChangesGateway & StripeRiskGateway;

export interface StripeCoreGateway {
  findPriceByLookupKey(lookupKey: string): Promise<ProviderPrice | null>;
  findOrCreateProduct(planId: string, name: string): Promise<{ id: string; created: boolean }>;
  createPrice(input: { productId: string; lookupKey: string; amountMinor: number; currency: string; interval: BillingInterval; idempotencyKey: string }): Promise<ProviderPrice>;
  createCustomer(customer: NewProviderCustomer): Promise<{ id: string }>;
  createCheckoutSession(session: NewCheckoutSession): Promise<{ id: string; url: string }>;
  /** The customer's open subscription checkouts (Stripe lists newest first). */
  listOpenCheckoutSessions(providerCustomerId: string): Promise<OpenCheckoutSession[]>;
  /** Expires an open session; a session that was no longer open answers the status it has. */
  expireCheckoutSession(id: string): Promise<'expired' | 'complete'>;
  /** null when Stripe does not know the id (a forged or foreign session). */
  retrieveCheckoutSession(id: string): Promise<ProviderCheckoutSession | null>;
  /** With `pastDueSince` read when Stripe says past_due or unpaid (two more requests then). */
  retrieveSubscription(id: string): Promise<ProviderSubscription | null>;
  retrievePayment(paymentIntentId: string): Promise<ProviderPayment | null>;
  /**
   * The invoice's customer, its subscription (as Stripe holds it now, expanded in the same read) and
   * the payment (PaymentIntent) that pays it, if any; null when Stripe does not know the invoice.
   */
  retrieveInvoicePayment(invoiceId: string): Promise<{ providerCustomerId: string | null; subscriptionId: string | null; subscription: ProviderSubscription | null; payment: ProviderPayment | null } | null>;
  /** With the recur id recur wrote into the customer's metadata, if any; null for an unknown or deleted customer. */
  retrieveCustomer(id: string): Promise<{ id: string; email: string | null; name: string | null; recurCustomerId: string | null } | null>;
}
