import type { ProviderPayment, ProviderSubscription } from './provider-objects.ts';

/** One page of a provider's list; `nextCursor` asks for the next page, null on the last. */
export type ProviderPage<T> = { items: T[]; nextCursor: string | null };

export type ListedCustomer = { id: string; email: string | null; name: string | null; metadata: Record<string, string> };

/**
 * A subscription with its customer expanded (null when that customer was deleted). Only
 * subscriptions that have a provider customer are listed: one without (a PayPal subscription
 * never approved) is an unfinished checkout, nobody's subscription.
 */
export type ListedSubscription = ProviderSubscription & {
  providerCustomerId: string;
  created: Date;
  customer: ListedCustomer | null;
  /**
   * When the provider last took or tried a payment on it (PayPal's billing_info `last_payment` /
   * `last_failed_payment`), null when never; absent when the list does not say (Stripe).
   */
  lastPaymentActivityAt?: Date | null;
};

/** An event as the provider's events list returns it; `payload` is the same JSON a webhook delivery carries. */
export type ListedEvent = { id: string; type: string; created: Date; payload: unknown };

/** Reading the provider page by page for reconciliation, and repairing its side (customer e-mail). */
export interface ReconciliationOperations {
  /** Subscriptions in every status (canceled ones too), newest first, each with its customer. */
  listSubscriptionsPage(startingAfter: string | null): Promise<ProviderPage<ListedSubscription>>;
  /** Customers (deleted ones are not listed), newest first. */
  listCustomersPage(startingAfter: string | null): Promise<ProviderPage<ListedCustomer>>;
  /** Events created at or after `createdFrom` (all the provider keeps, when null), newest first. */
  listEventsPage(input: { createdFrom: Date | null; startingAfter: string | null }): Promise<ProviderPage<ListedEvent>>;
  updateCustomerEmail(input: { providerCustomerId: string; email: string; idempotencyKey: string }): Promise<void>;
  /**
   * The payments (and failed attempts) of one subscription made from `from` to `to` on the
   * provider's clock, oldest first, for a provider without an events list (`listEvents` false),
   * whose reconciliation reads them per subscription. A provider with an events list recovers its
   * payments from the events and declares this not needed (it answers not_supported_by_provider).
   */
  listSubscriptionPayments(input: { providerSubscriptionId: string; from: Date; to: Date }): Promise<ProviderPayment[]>;
}
