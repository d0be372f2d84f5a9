import type Stripe from 'stripe';
import type { CheckoutPurchaseKind, NewCheckoutSession } from '../provider-objects.ts';

const STRIPE_LOCALES = new Set(['nl', 'en']);

/**
 * What recur writes into the session (and, one-time, into its PaymentIntent), so the return, the
 * webhook and reconciliation read back who bought what from Stripe's answer alone.
 */
function recurMetadata(session: NewCheckoutSession): Record<string, string> {
  const base = { recur_customer_id: session.recurCustomerId, recur_plan_id: session.planId };
  return session.purchase.kind === 'one_time' ? { ...base, recur_periods: String(session.purchase.quantity) } : base;
}

/** Checkout in subscription mode (the plan's price, its trial) or payment mode (a one-time line with price_data). */
export function checkoutSessionParams(session: NewCheckoutSession): Stripe.Checkout.SessionCreateParams {
  const metadata = recurMetadata(session);
  const common = {
    ...(session.providerCustomerId ? { customer: session.providerCustomerId } : {}),
    client_reference_id: session.recurCustomerId,
    metadata,
    success_url: session.successUrl,
    cancel_url: session.cancelUrl,
    locale: (STRIPE_LOCALES.has(session.locale) ? session.locale : 'auto') as Stripe.Checkout.SessionCreateParams.Locale,
    // The plan's methods, in its order: Checkout offers these and no others. iDEAL and Bancontact
    // in a subscription also set up the SEPA Direct Debit mandate the renewals are debited under.
    allowed_payment_method_types: [...session.paymentMethods],
    ...(session.submitMessage ? { custom_text: { submit: { message: session.submitMessage } } } : {}),
  };
  const { purchase } = session;
  if (purchase.kind === 'one_time') {
    return {
      ...common,
      mode: 'payment',
      line_items: [{ price_data: { currency: purchase.unitAmount.currency.toLowerCase(), unit_amount: purchase.unitAmount.amountMinor, product_data: { name: purchase.description } }, quantity: purchase.quantity }],
      payment_intent_data: { description: purchase.description, metadata },
    };
  }
  return {
    ...common,
    mode: 'subscription',
    line_items: [{ price: purchase.priceId, quantity: 1 }],
    subscription_data: { ...(purchase.trialDays > 0 ? { trial_period_days: purchase.trialDays } : {}), metadata },
    allow_promotion_codes: true,
  };
}

/** Only sessions recur could have made: subscription mode, or payment mode carrying recur's prepaid metadata. */
export function purchaseOfSession(session: Pick<Stripe.Checkout.Session, 'mode' | 'metadata'>): CheckoutPurchaseKind | null {
  if (session.mode === 'subscription') return 'subscription';
  if (session.mode === 'payment' && session.metadata?.['recur_periods']) return 'one_time';
  return null;
}

/** The prepaid time recur wrote into a one-time session; null when the metadata is not recur's. */
export function prepaidOfSession(session: Pick<Stripe.Checkout.Session, 'mode' | 'metadata'>): { planId: string; periods: number } | null {
  if (purchaseOfSession(session) !== 'one_time') return null;
  const planId = session.metadata?.['recur_plan_id'];
  const periods = Number(session.metadata?.['recur_periods']);
  return planId && Number.isSafeInteger(periods) && periods >= 1 ? { planId, periods } : null;
}
