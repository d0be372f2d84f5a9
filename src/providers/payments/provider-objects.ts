import type { Money } from '../../domain/money.ts';
import type { BillingInterval, PaymentMethod } from '../../domain/plan.ts';

/**
 * The objects recur reads from and sends to a payment provider, in recur's own types. Adapters map
 * their SDK's objects to these; nothing above an adapter sees an SDK type.
 */
export type PaymentStatus = 'pending' | 'processing' | 'succeeded' | 'failed' | 'refunded' | 'partially_refunded' | 'disputed';

export type ProviderSubscription = {
  id: string;
  /**
   * The provider's customer (Stripe: the customer id; PayPal: the payer id). null while the provider
   * knows no customer yet: a PayPal subscription the buyer has not approved has no payer, and is
   * nobody's subscription in recur until it has one.
   */
  providerCustomerId: string | null;
  /** The provider's own status word; the domain maps it (see subscription-status.ts). */
  status: string;
  priceId: string | null;
  priceLookupKey: string | null;
  /**
   * When the customer took it, by the provider's record (the day the contract was concluded, from
   * which the withdrawal period runs); null when the provider does not say.
   */
  signedUpAt: Date | null;
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
  /**
   * The SEPA mandate its debits are taken under, as its payment method says: null when it is paid
   * otherwise (a card). Absent: this read did not say (lists, or a debit whose own events name it).
   */
  mandateReference?: string | null;
};

/**
 * One payment, keyed by the provider's stable payment id. Stripe: the PaymentIntent id: invoices, charges, refunds and disputes all lead
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
  /** The provider's kind of payment method (card, sepa_debit, ideal, bancontact, paypal, ...); absent or null when unknown. */
  methodType?: string | null;
  /**
   * A direct debit's mandate, as the provider holds it: the one this debit was taken under, or
   * the one a bank payment (iDEAL, Bancontact) set up for the debits that follow it.
   */
  mandateReference?: string | null;
  at: Date;
  /** When it was paid: the succeeded charge's time (a retry's, when a retry paid it). */
  paidAt: Date | null;
  /** When it first failed: its first failed charge's time, however many retries failed since. */
  failedAt: Date | null;
  /** The payment waits for the customer's strong authentication (3D Secure); absent where the provider has no such state. */
  awaitingAuthentication?: boolean;
  /** The one-time checkout it pays, when the provider's read of the payment names it (a PayPal capture's order). */
  checkoutSessionId?: string | null;
};

/** What a checkout sells: a subscription, or a one-time payment (prepaid time without auto-renew). */
export type CheckoutPurchaseKind = 'subscription' | 'one_time';

export type ProviderCheckoutSession = {
  id: string;
  created: Date;
  purchase: CheckoutPurchaseKind;
  status: 'open' | 'complete' | 'expired';
  paymentStatus: 'paid' | 'unpaid' | 'no_payment_required';
  providerCustomerId: string | null;
  clientReferenceId: string | null;
  metadata: Record<string, string>;
  subscription: ProviderSubscription | null;
  /** A subscription's first invoice's payment, when there is one; a one-time checkout's own payment. */
  firstPayment: ProviderPayment | null;
  /** A one-time checkout: the prepaid time recur wrote into it when it opened it (null otherwise, or when unreadable). */
  prepaid: { planId: string; periods: number } | null;
  /**
   * Approved by the buyer, but the provider leaves taking the money to the merchant (a PayPal
   * order): recur captures it (`captureCheckoutSession`). Absent or false: the provider collects.
   */
  awaitingCapture?: boolean;
  /** The SEPA mandate a checkout without a first payment (a trial) set up for the debits to come; absent or null when none. */
  mandateReference?: string | null;
};

export type ProviderPrice = {
  id: string;
  productId: string;
  lookupKey: string | null;
  amountMinor: number;
  currency: string;
  interval: BillingInterval | null;
  active: boolean;
  /**
   * The free trial the price itself starts with, in days (a PayPal billing plan carries its trial
   * cycle). null: the price carries no trial of its own (Stripe gives the trial at checkout).
   */
  trialDays: number | null;
};

export type NewProviderCustomer = { recurCustomerId: string; externalId: string; email: string; name: string | null; locale: string };

/**
 * What a new checkout sells. A subscription: the provider's price of the plan and the free trial
 * it starts with. One-time: `quantity` x `unitAmount` (the plan's price per prepaid period), with
 * the line's description as the customer reads it.
 */
export type CheckoutPurchase =
  | { kind: 'subscription'; priceId: string; trialDays: number }
  | { kind: 'one_time'; unitAmount: Money; quantity: number; description: string };

export type NewCheckoutSession = {
  /** null for a provider without customer objects (capabilities.customerObject false). */
  providerCustomerId: string | null;
  purchase: CheckoutPurchase;
  recurCustomerId: string;
  planId: string;
  successUrl: string;
  cancelUrl: string;
  locale: string;
  /** How the customer may pay, as the plan offers (a provider without a choice of methods ignores it). */
  paymentMethods: readonly PaymentMethod[];
  /** Shown above the pay button (Stripe: Checkout's `custom_text.submit`): the terms in the customer's words. */
  submitMessage: string | null;
  idempotencyKey: string;
};

/**
 * Whose open checkouts to list: the provider customer where the provider keeps one, else the
 * recur customer the checkouts were opened for (PayPal: the subscriptions' `custom_id`).
 */
export type CheckoutOwner = {
  providerCustomerId: string | null;
  recurCustomerId: string;
  /**
   * The checkouts recur holds open for the customer (and the one just opened): a provider that
   * cannot list its checkouts (PayPal's orders) reads these one by one; others list their own.
   */
  openSessionIds?: readonly string[];
};

/** An open checkout recur made for one customer, newest first when listed. */
export type OpenCheckoutSession = { id: string; created: Date; url: string | null; recurCustomerId: string | null; planId: string | null; purchase: CheckoutPurchaseKind };
