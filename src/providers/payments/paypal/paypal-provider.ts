import type { PaymentProvider } from '../payment-provider.ts';
import type { ProviderCapabilities } from '../provider-capabilities.ts';
import type { ProviderOperations } from '../provider-operations.ts';

/** What PayPal can do, declared (docs/adr/0025): what it lacks gets recur's 409, never an imitation. */
export const paypalCapabilities: ProviderCapabilities = {
  // A revision takes effect at the next billing cycle, without proration.
  prorateOnPlanSwitch: false,
  // Prepaid time is an Orders v2 order recur captures (paypal-order-checkout.ts).
  oneTimeCheckout: true,
  billingPortal: false,
  // The trial is the billing plan's own trial cycle.
  trialOnCheckout: true,
  // Auto-renew after prepaid time: a subscription starting at the paid date, approved by the buyer.
  trialUntilDate: true,
  acceptDispute: true,
  // PayPal's webhook-events list is not used; reconciliation relies on the subscription lists.
  listEvents: false,
  // The payer is known only once the buyer approved; the checkout return links it.
  customerObject: false,
  // PayPal cancels at once: recur records a cancel at period end and cancels shortly before the next billing.
  cancelAtPeriodEnd: 'recur',
  // The payer owns the e-mail address.
  updateCustomerEmail: false,
};

/** `paymentMethodPageUrl`: where the payer changes how a subscription is paid (paypal-payment-method-page.ts). */
export function createPaypalProvider(gateway: ProviderOperations, paymentMethodPageUrl?: string): PaymentProvider {
  return { id: 'paypal', name: 'PayPal', capabilities: paypalCapabilities, gateway, paymentMethodPageUrl };
}
