import type { ProviderOperations } from '../../src/providers/payments/provider-operations.ts';
import { createStripeProvider } from '../../src/providers/payments/stripe/stripe-provider.ts';
import { createPaymentProviders, type PaymentProviders } from '../../src/services/payment-providers.ts';
import type { ServiceContext } from '../../src/services/service-context.ts';

/** The registry with Stripe alone, as `recur start` builds it when only Stripe is configured. */
export function stripeOnly(gateway: ProviderOperations, publicBaseUrl: string): PaymentProviders {
  return createPaymentProviders([createStripeProvider(gateway)], publicBaseUrl);
}

/** The context's Stripe gateway (a test wraps it to count or fail calls). */
export function stripeGatewayOf(ctx: Pick<ServiceContext, 'payments'>): ProviderOperations {
  const provider = ctx.payments?.get('stripe');
  if (!provider) throw new Error('the test context has no Stripe provider');
  return provider.gateway;
}

/** The same registry with Stripe's gateway replaced. */
export function withStripeGateway(ctx: Pick<ServiceContext, 'payments'>, gateway: ProviderOperations): PaymentProviders {
  return stripeOnly(gateway, ctx.payments!.publicBaseUrl);
}
