import type Stripe from 'stripe';
import type { PaymentStatus, ProviderPayment, ProviderPrice, ProviderSubscription } from '../provider-objects.ts';

/** The id of a Stripe reference, expanded or not. */
export const idOf = (value: string | { id: string } | null | undefined): string | null => (value == null ? null : typeof value === 'string' ? value : value.id);
const dateOf = (seconds: number | null | undefined): Date | null => (seconds == null ? null : new Date(seconds * 1000));

/** A Stripe subscription always has its customer. */
export function toProviderSubscription(subscription: Stripe.Subscription): ProviderSubscription & { providerCustomerId: string } {
  // Since API version basil the current period lives on each item; recur's subscriptions have one.
  const item = subscription.items.data[0];
  return {
    id: subscription.id,
    providerCustomerId: idOf(subscription.customer)!,
    status: subscription.status,
    priceId: item?.price.id ?? null,
    priceLookupKey: item?.price.lookup_key ?? null,
    // Not start_date: that can be backdated; `created` is when the checkout made it.
    signedUpAt: dateOf(subscription.created),
    trialEnd: dateOf(subscription.trial_end),
    currentPeriodStart: dateOf(item?.current_period_start),
    currentPeriodEnd: dateOf(item?.current_period_end),
    cancelAtPeriodEnd: subscription.cancel_at_period_end,
    canceledAt: dateOf(subscription.canceled_at),
    metadata: { ...subscription.metadata },
  };
}

export function toProviderPrice(price: Stripe.Price): ProviderPrice {
  const interval = price.recurring?.interval;
  return {
    id: price.id,
    productId: idOf(price.product)!,
    lookupKey: price.lookup_key,
    amountMinor: price.unit_amount ?? 0,
    currency: price.currency.toUpperCase(),
    interval: interval === 'month' ? 'month' : interval === 'year' ? 'year' : null,
    active: price.active,
    // Stripe gives a trial at checkout, not on the price.
    trialDays: null,
  };
}

function methodSummary(charge: Stripe.Charge | null): string | null {
  const details = charge?.payment_method_details;
  if (!details) return null;
  if (details.card) return `${details.card.brand ?? 'card'} •••• ${details.card.last4 ?? '????'}`;
  if (details.sepa_debit) return `SEPA •••• ${details.sepa_debit.last4 ?? '????'}`;
  if (details.ideal) return details.ideal.iban_last4 ? `iDEAL •••• ${details.ideal.iban_last4}` : 'iDEAL';
  if (details.bancontact) return details.bancontact.iban_last4 ? `Bancontact •••• ${details.bancontact.iban_last4}` : 'Bancontact';
  return details.type;
}

/**
 * The SEPA mandate behind a charge: the one a debit was taken under, or the one a bank payment
 * (iDEAL, Bancontact) set up for the debits that follow it.
 */
export function mandateOfCharge(charge: Stripe.Charge | null): string | null {
  const details = charge?.payment_method_details;
  if (!details) return null;
  return idOf(details.sepa_debit?.mandate ?? details.ideal?.generated_sepa_debit_mandate ?? details.bancontact?.generated_sepa_debit_mandate ?? null);
}

function paymentStatus(intent: Stripe.PaymentIntent, charge: Stripe.Charge | null): PaymentStatus {
  if (charge?.disputed) return 'disputed';
  if (charge?.refunded) return 'refunded';
  if (charge && charge.amount_refunded > 0) return 'partially_refunded';
  switch (intent.status) {
    case 'succeeded':
      return 'succeeded';
    // A debit the bank has not answered yet (SEPA: days); it may still fail.
    case 'processing':
      return 'processing';
    case 'canceled':
      return 'failed';
    case 'requires_payment_method':
      return intent.last_payment_error ? 'failed' : 'pending';
    default:
      return 'pending';
  }
}

/**
 * A PaymentIntent retrieved with `expand: ['latest_charge']`; `mandateReference` is the reference
 * of the charge's mandate (`mandateOfCharge`), read apart because the charge only names it.
 */
export function toProviderPayment(intent: Stripe.PaymentIntent, providerSubscriptionId: string | null = null, mandateReference: string | null = null): ProviderPayment {
  const charge = typeof intent.latest_charge === 'object' ? intent.latest_charge : null;
  return {
    id: intent.id,
    providerCustomerId: idOf(intent.customer),
    providerSubscriptionId,
    amountMinor: intent.amount,
    currency: intent.currency.toUpperCase(),
    amountRefundedMinor: charge?.amount_refunded ?? 0,
    status: paymentStatus(intent, charge),
    methodSummary: methodSummary(charge),
    methodType: charge?.payment_method_details?.type ?? null,
    mandateReference,
    at: new Date(intent.created * 1000),
    paidAt: charge?.status === 'succeeded' ? new Date(charge.created * 1000) : null,
    // The latest failure; the gateway reads the first one (it takes a list of the charges).
    failedAt: charge?.status === 'failed' ? new Date(charge.created * 1000) : null,
    awaitingAuthentication: awaitsAuthentication(intent),
  };
}

/** requires_action is also a bank transfer's instructions; only a 3D Secure challenge needs the customer's authentication. */
function awaitsAuthentication(intent: Stripe.PaymentIntent): boolean {
  const action = intent.next_action?.type;
  return intent.status === 'requires_action' && (action === 'use_stripe_sdk' || action === 'redirect_to_url');
}

/** The subscription an invoice belongs to, where the basil API versions put it. */
export function subscriptionOfInvoice(invoice: Stripe.Invoice): string | null {
  return idOf(invoice.parent?.subscription_details?.subscription ?? null);
}

/** The PaymentIntent that paid (or tries to pay) an invoice retrieved with `expand: ['payments']`. */
export function paymentIntentOfInvoice(invoice: Stripe.Invoice): string | null {
  const payments = invoice.payments?.data ?? [];
  for (const payment of payments) {
    const intent = idOf(payment.payment.payment_intent ?? null);
    if (intent) return intent;
  }
  return null;
}
