import type Stripe from 'stripe';
import { startSubscription } from '../billing/create-subscription.ts';
import { payInvoice } from '../billing/invoice-lifecycle.ts';
import { bankRedirectDetails, generateSepaDebit, isBankRedirect } from '../payments/bank-redirects.ts';
import { createMandate, type MandateAcceptance } from '../payments/mandates.ts';
import { recordSucceededSetup } from '../payments/setup-intents.ts';
import type { StripeRuntime } from '../runtime.ts';
import { finishSession } from './finish-session.ts';

/**
 * What the customer agreed to on the page for a SEPA Direct Debit, an iDEAL or a Bancontact
 * payment: the mandate, and (bank redirects) which of Stripe's test IBANs the SEPA Direct Debit
 * generated from the payment draws on, a sandbox choice that decides how later debits end.
 */
export type MandateConsent = { acceptance: MandateAcceptance; debitIban: string | null; locale: string | null };

/** What later, off-session payments use: the SEPA Direct Debit entered on the page, or the one generated from a bank redirect. */
export type SavedDebit = { paymentMethod: Stripe.PaymentMethod; mandate: Stripe.Mandate; generated: boolean };

/** A bank redirect is saved only when there is a customer to save it to (Stripe: `setup_future_usage`, subscriptions). */
export function saveDebit(rt: StripeRuntime, paymentMethod: Stripe.PaymentMethod, customerId: string | null, consent: MandateConsent, keep: boolean): SavedDebit | null {
  if (paymentMethod.type === 'sepa_debit') return { paymentMethod, mandate: createMandate(rt, paymentMethod, consent.acceptance), generated: false };
  if (!keep || !customerId || !consent.debitIban) return null;
  return { ...generateSepaDebit(rt, paymentMethod, consent.debitIban, customerId, consent.acceptance), generated: true };
}

/** The bank's report of an iDEAL or Bancontact payment, naming the SEPA Direct Debit generated from it. */
export function redirectDetailsOf(paymentMethod: Stripe.PaymentMethod, saved: SavedDebit | null, consent: MandateConsent): Record<string, unknown> | undefined {
  return isBankRedirect(paymentMethod.type) ? bankRedirectDetails(paymentMethod, saved?.generated ? saved : null, consent.locale) : undefined;
}

/** `sepa_debit.generated_from`: the charge (a paid first invoice) or the setup attempt (a trial) it came from. */
export function noteGeneratedFrom(saved: SavedDebit | null, from: { charge?: string | null; setupAttempt?: string }): void {
  if (!saved?.generated || !saved.paymentMethod.sepa_debit) return;
  saved.paymentMethod.sepa_debit.generated_from = { charge: from.charge ?? null, setup_attempt: from.setupAttempt ?? null };
}

export type MandatedSubscription = {
  customer: Stripe.Customer;
  paymentMethod: Stripe.PaymentMethod;
  consent: MandateConsent;
  trialEnd: number | null;
  start: Omit<Parameters<typeof startSubscription>[1], 'customer' | 'trialEnd' | 'defaultPaymentMethod' | 'paymentBehavior'>;
};

/**
 * Checkout in subscription mode with a mandate: the subscription's default payment method is
 * the SEPA Direct Debit. A trial saves it with a SetupIntent; otherwise the first invoice is paid
 * with what the customer chose (iDEAL and Bancontact at once, a SEPA debit after processing) and
 * the session completes as that payment goes (`followCheckoutPayment`).
 */
export function subscribeWithMandate(rt: StripeRuntime, session: Stripe.Checkout.Session, input: MandatedSubscription): void {
  const { customer, paymentMethod, consent, trialEnd } = input;
  const saved = saveDebit(rt, paymentMethod, customer.id, consent, true)!;
  const subscription = startSubscription(rt, { ...input.start, customer, trialEnd, defaultPaymentMethod: saved.paymentMethod.id, paymentBehavior: trialEnd ? 'error_if_incomplete' : 'default_incomplete' });
  session.subscription = subscription.id;
  session.invoice = subscription.latest_invoice ? String(subscription.latest_invoice) : null;
  const redirectDetails = redirectDetailsOf(paymentMethod, saved, consent);
  if (trialEnd) {
    const { setupIntent, attempt } = recordSucceededSetup(rt, { customer: customer.id, paymentMethod, mandate: saved.mandate, details: redirectDetails ?? {} });
    session.setup_intent = setupIntent.id;
    noteGeneratedFrom(saved, { setupAttempt: attempt.id });
    finishSession(rt, session, 'no_payment_required');
    return;
  }
  const invoice = rt.state.invoices.require(String(session.invoice));
  const intentId = rt.state.invoiceIntents.get(invoice.id)!;
  rt.state.paymentPurpose.set(intentId, { invoice: invoice.id, checkoutSession: session.id });
  payInvoice(rt, invoice, { paymentMethod: paymentMethod.id, offSession: false, fromApi: false, ...(redirectDetails ? { redirectDetails } : {}) });
  noteGeneratedFrom(saved, { charge: rt.state.paymentIntents.get(intentId)?.latest_charge as string | null });
}
