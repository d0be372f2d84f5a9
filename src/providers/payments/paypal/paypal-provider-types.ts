import type { ProviderPayment, ProviderPrice, ProviderSubscription } from '../provider-objects.ts';
import type { ProviderDispute } from '../risk-operations.ts';

/**
 * PayPal's objects in recur's provider-neutral shapes (provider-objects.ts, risk-operations.ts),
 * with what only PayPal has added under its own names.
 */
export type { PaymentStatus } from '../provider-objects.ts';

/**
 * recur's subscription with what PayPal adds. `status` is PayPal's word refined by billing_info
 * (`ACTIVE:TRIAL`, see domain/subscription-status.ts); `providerCustomerId` the payer id, null
 * before the buyer approved; `priceId` the billing plan; `cancelAtPeriodEnd` always false (PayPal
 * cancels at once).
 */
export type PaypalProviderSubscription = ProviderSubscription & {
  /** PayPal's own status (APPROVAL_PENDING, ACTIVE, SUSPENDED, ...), unrefined. */
  paypalStatus: string;
  /** The `custom_id` recur set at checkout: recur's customer id. */
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

/** A billing plan; its lookup key is the one recur wrote into its description (paypal-plan-catalogue.ts). */
export type PaypalProviderPrice = ProviderPrice;
