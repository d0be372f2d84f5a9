import type { ProviderId } from '../../domain/provider.ts';
import type { ProviderCapabilities } from './provider-capabilities.ts';
import type { ProviderOperations } from './provider-operations.ts';

/**
 * One payment provider as recur's services see it: its id, what it can do, and the operations in
 * recur's own types (provider-operations.ts). Its webhook verifier and event processor are built
 * beside it (src/runtime/build-payment-providers.ts) and handed to the webhook context, because a
 * delivery may be verified where no API key is configured.
 */
export type PaymentProvider = {
  id: ProviderId;
  /** Shown in messages: "Stripe", "PayPal". */
  name: string;
  capabilities: ProviderCapabilities;
  gateway: ProviderOperations;
  /**
   * The provider's own page where the customer changes what pays, for a provider recur cannot
   * open a billing-portal session at (PayPal: the payer's automatic payments in their account).
   */
  paymentMethodPageUrl?: string | undefined;
};
