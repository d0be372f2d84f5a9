import type Stripe from 'stripe';
import type { StripeRuntime } from '../runtime.ts';
import type { Params } from '../wire/form-body.ts';
import { optionalEnum } from '../wire/params.ts';

const SETTINGS = ['off', 'on_subscription'] as const;

/**
 * `payment_settings[save_default_payment_method]` on a create or update. Stripe's default is
 * `off` (a Checkout Session has no parameter for it, so a Checkout-made subscription starts `off`).
 */
export function applySaveDefaultPaymentMethod(subscription: Stripe.Subscription, params: Params): void {
  const setting = optionalEnum(params, 'payment_settings.save_default_payment_method', SETTINGS);
  if (setting) subscription.payment_settings = { ...subscription.payment_settings!, save_default_payment_method: setting };
}

/**
 * A subscription's invoice was paid with `paymentMethod` by the customer (the hosted invoice
 * page): only with `on_subscription` does that card become the subscription's default, and the
 * next renewal charges it; with `off` the renewal charges the old default again.
 */
export function saveDefaultAfterPayment(rt: StripeRuntime, subscription: Stripe.Subscription, paymentMethod: string): void {
  if (subscription.payment_settings?.save_default_payment_method !== 'on_subscription') return;
  if (subscription.default_payment_method === paymentMethod) return;
  const previous = { default_payment_method: subscription.default_payment_method };
  subscription.default_payment_method = paymentMethod;
  rt.events.record('customer.subscription.updated', subscription, previous);
}
