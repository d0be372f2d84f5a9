import type { ProviderSubscription } from './provider-objects.ts';

export type ProviderInvoiceSummary = { id: string; amountDueMinor: number; amountPaidMinor: number; currency: string; status: string };

/**
 * A subscription as the provider answered a change, with the provider's own time of that change when the
 * answer carries one (recur versions its immediate write with it, see docs/adr).
 */
export type ProviderSubscriptionChange = { subscription: ProviderSubscription; changedAt: Date | null; invoice: ProviderInvoiceSummary | null };

export type PriceChangePreviewLine = { description: string; amountMinor: number; proration: boolean; periodStart: Date; periodEnd: Date };

/**
 * The provider's preview of the invoice the change leads to: the invoice made at once when the change
 * is invoiced now, else the next one (at the end of a trial, for a trialing subscription).
 */
export type PriceChangePreview = {
  amountDueMinor: number;
  /** Sum of the lines; below zero when the credit outweighs the charge. */
  totalMinor: number;
  /** The customer's balance the invoice starts from (below zero: credit). */
  startingBalanceMinor: number;
  currency: string;
  prorationDate: Date;
  lines: PriceChangePreviewLine[];
  /** The end of the period the new price starts (or continues): where its own line ends. */
  periodEnd: Date;
};

/** A subscription as the provider holds it when a switch is asked for: what the switch starts from. */
export type PriceChangeStart = { subscription: ProviderSubscription; itemId: string; latestInvoiceId: string | null };

export type PriceChange = { start: PriceChangeStart; priceId: string; prorationDate: Date | null };

/** Changes recur asks the provider for on a customer's behalf: switch plan (with a preview), cancel, resume, trial extension, billing portal. */
export interface SubscriptionChangeOperations {
  readPriceChangeStart(subscriptionId: string): Promise<PriceChangeStart>;
  previewPriceChange(change: PriceChange): Promise<PriceChangePreview>;
  changePrice(change: PriceChange, idempotencyKey: string): Promise<ProviderSubscriptionChange>;
  cancelAtPeriodEnd(subscriptionId: string, idempotencyKey: string): Promise<ProviderSubscriptionChange>;
  cancelNow(subscriptionId: string, idempotencyKey: string): Promise<ProviderSubscriptionChange>;
  /** Undoes a pending cancel (cancel_at_period_end), or resumes a paused subscription. */
  resumeSubscription(subscriptionId: string, paused: boolean, idempotencyKey: string): Promise<ProviderSubscriptionChange>;
  hasDefaultPaymentMethod(providerCustomerId: string): Promise<boolean>;
  createTrialSubscription(input: { providerCustomerId: string; priceId: string; trialEnd: Date; metadata: Record<string, string> }, idempotencyKey: string): Promise<ProviderSubscriptionChange>;
  createTrialCheckoutSession(
    // providerCustomerId: null for a provider without customer objects (the buyer approves at the checkout).
    input: { providerCustomerId: string | null; priceId: string; trialEnd: Date; metadata: Record<string, string>; successUrl: string; cancelUrl: string; locale: string },
    idempotencyKey: string,
  ): Promise<{ id: string; url: string }>;
  createBillingPortalSession(input: { providerCustomerId: string; returnUrl: string; locale: string }, idempotencyKey: string): Promise<{ url: string }>;
}
