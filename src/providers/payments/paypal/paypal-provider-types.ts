import type { ProviderPayment, ProviderPrice } from '../provider-objects.ts';
import type { ProviderDispute } from '../risk-operations.ts';

/**
 * PayPal's objects in recur's provider-neutral shapes (provider-objects.ts, risk-operations.ts),
 * with what only PayPal has added under its own names. The subscription stays its own type until
 * the adapter implements the interface: before approval PayPal knows no payer.
 */
export type { PaymentStatus } from '../provider-objects.ts';

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

/** A capture (a one-time order) or a sale (a subscription's payment), keyed by its id. */
export type PaypalProviderPayment = ProviderPayment;

/**
 * recur's dispute with what PayPal adds: `chargeId` and `paymentIntentId` are both the disputed
 * capture or sale (recur keys a PayPal payment by it), `status` is PayPal's word (OPEN,
 * WAITING_FOR_SELLER_RESPONSE, UNDER_REVIEW, RESOLVED, ...), `evidenceDueBy` the seller's response due date.
 */
export type PaypalProviderDispute = ProviderDispute & {
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

/** PayPal plans have no lookup key. */
export type PaypalProviderPrice = ProviderPrice & { lookupKey: null };
