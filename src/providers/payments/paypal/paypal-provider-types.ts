import type { BillingInterval } from '../../../domain/plan.ts';

/**
 * PayPal's objects in recur's provider-neutral shapes. Field for field the shapes of the Stripe
 * adapter's `ProviderSubscription`, `ProviderPayment`, `ProviderDispute` and `ProviderPrice`, so
 * one neutral type can hold both; what only PayPal has is added under its own names.
 */
export type PaymentStatus = 'pending' | 'succeeded' | 'failed' | 'refunded' | 'partially_refunded' | 'disputed';

/** recur's subscription statuses, as the domain names them. */
export type RecurSubscriptionStatus = 'incomplete' | 'trialing' | 'active' | 'past_due' | 'canceled';

export type PaypalProviderSubscription = {
  id: string;
  /** The payer's PayPal id; null before the buyer approved (PayPal knows no payer yet). */
  providerCustomerId: string | null;
  status: RecurSubscriptionStatus;
  /** The billing plan. */
  priceId: string | null;
  /** PayPal plans have no lookup key. */
  priceLookupKey: null;
  trialEnd: Date | null;
  currentPeriodStart: Date | null;
  currentPeriodEnd: Date | null;
  /** PayPal cancels at once; a cancel at period end is recur's own schedule. */
  cancelAtPeriodEnd: false;
  canceledAt: Date | null;
  metadata: Record<string, string>;
  /** Time of the last failed payment while payments are failing (PayPal keeps no first-failure time); null otherwise. */
  pastDueSince: Date | null;
  /** PayPal's own status (APPROVAL_PENDING, ACTIVE, SUSPENDED, ...), for audit entries. */
  paypalStatus: string;
  /** The `custom_id` recur set at checkout: recur's customer reference. */
  customId: string | null;
  payerEmail: string | null;
  failedPaymentsCount: number;
  lastPaymentAt: Date | null;
};

export type PaypalProviderPayment = {
  /** The capture id (a one-time order) or the sale id (a subscription's payment). */
  id: string;
  providerCustomerId: string | null;
  providerSubscriptionId: string | null;
  amountMinor: number;
  currency: string;
  amountRefundedMinor: number;
  status: PaymentStatus;
  methodSummary: string | null;
  at: Date;
  paidAt: Date | null;
  failedAt: Date | null;
};

export type PaypalProviderDispute = {
  id: string;
  /** The disputed capture or sale (PayPal's seller transaction id). */
  chargeId: string | null;
  /** The same id: recur keys a PayPal payment by its capture or sale. */
  paymentIntentId: string | null;
  amountMinor: number;
  currency: string;
  reason: string | null;
  /** PayPal's status: OPEN, WAITING_FOR_SELLER_RESPONSE, UNDER_REVIEW, RESOLVED, ... */
  status: string;
  /** The seller's response due date. */
  evidenceDueBy: Date | null;
  created: Date;
  /** PayPal's outcome code once RESOLVED (RESOLVED_BUYER_FAVOUR, RESOLVED_SELLER_FAVOUR, ...); null before. */
  outcome: string | null;
  amountRefundedMinor: number;
  /** The `custom` of the disputed transaction (recur's customer reference), when PayPal gives it. */
  customId: string | null;
};

export type PaypalProviderOrder = {
  id: string;
  /** PayPal's status: CREATED, APPROVED, COMPLETED, ... */
  status: string;
  customId: string | null;
  payerId: string | null;
  payerEmail: string | null;
  created: Date | null;
  /** The purchase unit's capture, once the order is captured. */
  capture: PaypalProviderPayment | null;
};

export type PaypalProviderPrice = { id: string; productId: string; lookupKey: null; amountMinor: number; currency: string; interval: BillingInterval | null; active: boolean };
