import type { PaymentProvider } from '../payment-provider.ts';
import type { ProviderCapabilities } from '../provider-capabilities.ts';
import type { StripeGateway } from './stripe-gateway.ts';

/** Everything recur uses of Stripe, which is the reference the capabilities are named after. */
export const stripeCapabilities: ProviderCapabilities = {
  prorateOnPlanSwitch: true,
  // Checkout in payment mode: prepaid time without auto-renew.
  oneTimeCheckout: true,
  billingPortal: true,
  trialOnCheckout: true,
  trialUntilDate: true,
  acceptDispute: true,
  listEvents: true,
  customerObject: true,
  // Stripe keeps cancel_at_period_end and ends the subscription itself.
  cancelAtPeriodEnd: 'provider',
  updateCustomerEmail: true,
};

export function createStripeProvider(gateway: StripeGateway): PaymentProvider {
  return { id: 'stripe', name: 'Stripe', capabilities: stripeCapabilities, gateway };
}
