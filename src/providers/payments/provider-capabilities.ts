/**
 * What a payment provider can do beyond the operations every adapter implements. A provider that
 * lacks one says so here, and recur answers 409 not_supported_by_provider with the reason,
 * instead of the adapter pretending (a plan switch without proration billed as if prorated).
 */
export type ProviderCapabilities = {
  /** A plan switch charges or credits the difference for the rest of the period at once. */
  prorateOnPlanSwitch: boolean;
  /** A checkout for a one-time payment (a prepaid period without auto-renew). */
  oneTimeCheckout: boolean;
  /** A hosted page where the customer updates the payment method and sees invoices. */
  billingPortal: boolean;
  /** A subscription checkout that starts with the plan's free trial. */
  trialOnCheckout: boolean;
  /** A subscription started with a trial until a given date (auto-renew after prepaid time). */
  trialUntilDate: boolean;
  /** Accepting (closing) a dispute without sending evidence. */
  acceptDispute: boolean;
  /** Listing past events, so reconciliation can recover deliveries that never arrived. */
  listEvents: boolean;
  /**
   * A customer object recur creates before the checkout (Stripe). Without one (PayPal) the
   * provider knows the payer only once the buyer approved; the checkout return links it.
   */
  customerObject: boolean;
  /**
   * Who ends a subscription at the end of its paid period. `provider`: the provider keeps the
   * flag and ends it by itself (Stripe). `recur`: the provider only cancels at once (PayPal), so
   * recur records the request and cancels at the provider shortly before the next billing
   * (`cancel-scheduled-subscriptions` job), keeping access until the period's end.
   */
  cancelAtPeriodEnd: PeriodEndCancel;
  /** Changing the e-mail of the provider's customer (reconciliation repairs a stale one). */
  updateCustomerEmail: boolean;
};

export type PeriodEndCancel = 'provider' | 'recur';

/** The capabilities a provider has or lacks (the yes/no ones): what `requireCapability` checks. */
export type Capability = { [K in keyof ProviderCapabilities]: ProviderCapabilities[K] extends boolean ? K : never }[keyof ProviderCapabilities];

/** How a missing capability is named in the 409's message: "<provider> cannot <this>". */
export const capabilityWording: Record<Capability, string> = {
  prorateOnPlanSwitch: 'prorate a plan switch (charge or credit the difference at once)',
  oneTimeCheckout: 'take a one-time payment at checkout',
  billingPortal: 'open a billing portal for the customer',
  trialOnCheckout: 'start a subscription checkout with a free trial',
  trialUntilDate: 'start a subscription with a trial until a given date',
  acceptDispute: 'accept a dispute',
  listEvents: 'list past events for reconciliation',
  customerObject: 'keep a customer before the checkout',
  updateCustomerEmail: 'change a customer\'s e-mail address',
};
