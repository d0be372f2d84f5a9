import type { ProviderId } from '../domain/provider.ts';
import type { PaymentProvider } from '../providers/payments/payment-provider.ts';

/**
 * The configured payment providers, on the service context as `ctx.payments`. Built in one place
 * (src/runtime/build-payment-providers.ts); services ask it for a provider by id and never import
 * an adapter.
 */
export type PaymentProviders = {
  /** null when the provider has no adapter or is not configured. */
  get(id: ProviderId): PaymentProvider | null;
  /** The configured providers' ids, in registration order. */
  configured(): ProviderId[];
  /** The provider a checkout uses when the request names none: the first configured. */
  defaultForCheckout: ProviderId | null;
  /** Where customers' browsers come back to recur after a provider's hosted page. */
  publicBaseUrl: string;
};

export function createPaymentProviders(providers: readonly PaymentProvider[], publicBaseUrl: string): PaymentProviders {
  const byId = new Map(providers.map((provider) => [provider.id, provider]));
  return {
    get: (id) => byId.get(id) ?? null,
    configured: () => [...byId.keys()],
    defaultForCheckout: providers[0]?.id ?? null,
    publicBaseUrl,
  };
}
