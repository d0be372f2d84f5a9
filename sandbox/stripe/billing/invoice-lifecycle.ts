import type Stripe from 'stripe';
import { confirmPaymentIntent, createPaymentIntent } from '../payments/payment-intents.ts';
import type { StripeRuntime } from '../runtime.ts';
import { subscriptionIdOf, type StoredInvoice } from '../state/stripe-state.ts';
import type { StripeApiError } from '../wire/stripe-error.ts';
import { stripeErrors } from '../wire/stripe-error.ts';
import { invoiceActionRequired, invoicePaymentFailed, invoicePaymentSucceeded } from './dunning.ts';
import { applyCustomerBalance } from './customer-balance.ts';
import { addItemToInvoice } from './invoice-items.ts';
import { buildInvoice, type InvoiceInput } from './invoice-object.ts';

function nowOf(rt: StripeRuntime, invoice: StoredInvoice): number {
  return rt.time.nowFor(String(invoice.customer));
}

/** A draft with the given lines plus the pending invoice items handed in. */
export function createInvoice(rt: StripeRuntime, input: InvoiceInput, pending: readonly Stripe.InvoiceItem[] = []): StoredInvoice {
  const invoice = rt.state.invoices.add(buildInvoice(rt, input));
  for (const item of pending) addItemToInvoice(rt, item, invoice);
  if (input.subscription) input.subscription.latest_invoice = invoice.id;
  rt.events.record('invoice.created', invoice);
  return invoice;
}

export function markInvoicePaid(rt: StripeRuntime, invoice: StoredInvoice): void {
  invoice.status = 'paid';
  invoice.attempted = true;
  invoice.amount_paid = invoice.amount_due;
  invoice.amount_remaining = 0;
  invoice.next_payment_attempt = null;
  invoice.status_transitions.paid_at = nowOf(rt, invoice);
  rt.events.record('invoice.paid', invoice);
  rt.events.record('invoice.payment_succeeded', invoice);
  invoicePaymentSucceeded(rt, invoice);
}

export function finalizeInvoice(rt: StripeRuntime, invoice: StoredInvoice): void {
  if (invoice.status !== 'draft') throw stripeErrors.invalidRequest("This invoice is already finalized, you can't re-finalize a non-draft invoice.", undefined, 'invoice_unexpected_state');
  const customer = rt.state.customers.require(String(invoice.customer));
  const now = nowOf(rt, invoice);
  invoice.number = `${customer.invoice_prefix}-${String(customer.next_invoice_sequence ?? 1).padStart(4, '0')}`;
  customer.next_invoice_sequence = (customer.next_invoice_sequence ?? 1) + 1;
  applyCustomerBalance(invoice, customer, false);
  invoice.status = 'open';
  invoice.status_transitions.finalized_at = now;
  invoice.effective_at = now;
  invoice.hosted_invoice_url = `${rt.sandbox.baseUrl()}/stripe/invoices/${invoice.id}`;
  invoice.invoice_pdf = `${rt.sandbox.baseUrl()}/stripe/invoices/${invoice.id}/pdf`;
  if (invoice.collection_method === 'send_invoice' && invoice.due_date === null) invoice.due_date = now + 30 * 86_400;
  rt.events.record('invoice.finalized', invoice);
  if (invoice.amount_due === 0) markInvoicePaid(rt, invoice);
}

function paymentMethodFor(rt: StripeRuntime, invoice: StoredInvoice, given: string | null | undefined): string | null {
  if (given) return given;
  if (invoice.default_payment_method) return String(invoice.default_payment_method);
  const subscriptionId = subscriptionIdOf(invoice);
  const subscription = subscriptionId ? rt.state.subscriptions.get(subscriptionId) : undefined;
  if (subscription?.default_payment_method) return String(subscription.default_payment_method);
  const customer = rt.state.customers.get(String(invoice.customer));
  const fallback = customer?.invoice_settings.default_payment_method;
  return fallback ? String(fallback) : null;
}

/** The invoice's payment intent, made on first need (at finalization for default_incomplete, else at the first attempt). */
export function intentFor(rt: StripeRuntime, invoice: StoredInvoice, paymentMethod: string | null): Stripe.PaymentIntent {
  const existingId = rt.state.invoiceIntents.get(invoice.id);
  const existing = existingId ? rt.state.paymentIntents.get(existingId) : undefined;
  if (existing && ['requires_payment_method', 'requires_confirmation', 'requires_action'].includes(existing.status)) {
    if (paymentMethod) {
      existing.payment_method = paymentMethod;
      if (existing.status === 'requires_payment_method') existing.status = 'requires_confirmation';
    }
    return existing;
  }
  const intent = createPaymentIntent(rt, {
    amount: invoice.amount_remaining,
    currency: invoice.currency,
    customer: String(invoice.customer),
    paymentMethod,
    description: subscriptionIdOf(invoice) ? (invoice.billing_reason === 'subscription_create' ? 'Subscription creation' : 'Subscription update') : `Invoice ${invoice.number}`,
    metadata: {},
    // A subscription's card is charged again without the customer (renewals): Stripe sets its
    // payments up for off-session use, so a card that authenticated once is not asked at every renewal.
    setupFutureUsage: subscriptionIdOf(invoice) ? 'off_session' : null,
  });
  rt.state.invoiceIntents.set(invoice.id, intent.id);
  rt.state.paymentPurpose.set(intent.id, { invoice: invoice.id });
  return intent;
}

export type PayOptions = { paymentMethod?: string | null; offSession: boolean; fromApi: boolean; redirectDetails?: Record<string, unknown> };

/**
 * Finalizes a draft if needed, then charges the invoice's payment method. The outcome reaches
 * the invoice through the payment intent listener; a decline comes back for the API to answer 402.
 */
export function payInvoice(rt: StripeRuntime, invoice: StoredInvoice, options: PayOptions): StripeApiError | null {
  if (invoice.status === 'draft') finalizeInvoice(rt, invoice);
  if (invoice.status === 'paid') {
    if (options.fromApi) throw stripeErrors.invalidRequest('Invoice is already paid', undefined, 'invoice_already_paid');
    return null;
  }
  if (invoice.status !== 'open') throw stripeErrors.invalidRequest(`This invoice can no longer be paid: its status is ${invoice.status}.`, undefined, 'invoice_not_open');
  const paymentMethod = paymentMethodFor(rt, invoice, options.paymentMethod);
  if (!paymentMethod && options.fromApi) {
    throw stripeErrors.invalidRequest('This customer has no attached payment source or default payment method. Please consider adding a default payment method.', undefined, 'invoice_no_customer_line_items');
  }
  invoice.attempt_count += 1;
  invoice.attempted = true;
  if (!paymentMethod) {
    invoicePaymentFailed(rt, invoice);
    return null;
  }
  const intent = intentFor(rt, invoice, paymentMethod);
  return confirmPaymentIntent(rt, intent, { offSession: options.offSession, ...(options.redirectDetails ? { redirectDetails: options.redirectDetails } : {}) });
}

/** Invoices follow their payment intents: paid, failed (dunning), or waiting for 3D Secure. */
export function followInvoicePayment(rt: StripeRuntime, intent: Stripe.PaymentIntent): void {
  const invoiceId = rt.state.paymentPurpose.get(intent.id)?.invoice;
  const invoice = invoiceId ? rt.state.invoices.get(invoiceId) : undefined;
  if (!invoice || invoice.status !== 'open') return;
  if (intent.status === 'succeeded') {
    markInvoicePaid(rt, invoice);
  } else if (intent.status === 'requires_payment_method' && intent.last_payment_error) invoicePaymentFailed(rt, invoice);
  else if (intent.status === 'requires_action') invoiceActionRequired(rt, invoice);
  // A SEPA debit under way is the attempt: no retry is due until the bank answers (else a retry would debit again).
  else if (intent.status === 'processing') invoice.next_payment_attempt = null;
}

export function voidInvoice(rt: StripeRuntime, invoice: StoredInvoice): void {
  if (invoice.status !== 'open' && invoice.status !== 'uncollectible') throw stripeErrors.invalidRequest(`You can only void open or uncollectible invoices; this invoice is ${invoice.status}.`, undefined, 'invoice_not_open');
  invoice.status = 'void';
  invoice.next_payment_attempt = null;
  invoice.status_transitions.voided_at = nowOf(rt, invoice);
  rt.events.record('invoice.voided', invoice);
}

export function markUncollectible(rt: StripeRuntime, invoice: StoredInvoice): void {
  if (invoice.status !== 'open') throw stripeErrors.invalidRequest(`You can only mark open invoices uncollectible; this invoice is ${invoice.status}.`, undefined, 'invoice_not_open');
  invoice.status = 'uncollectible';
  invoice.next_payment_attempt = null;
  invoice.status_transitions.marked_uncollectible_at = nowOf(rt, invoice);
  rt.events.record('invoice.marked_uncollectible', invoice);
}

export function sendInvoice(rt: StripeRuntime, invoice: StoredInvoice): void {
  if (invoice.collection_method !== 'send_invoice') {
    throw stripeErrors.invalidRequest("You can only manually send an invoice if its collection method is 'send_invoice'.", undefined, 'invoice_unexpected_state');
  }
  if (invoice.status === 'draft') finalizeInvoice(rt, invoice);
  rt.events.record('invoice.sent', invoice);
}

export function deleteDraft(rt: StripeRuntime, invoice: StoredInvoice): { id: string; object: 'invoice'; deleted: true } {
  if (invoice.status !== 'draft') throw stripeErrors.invalidRequest('You can only delete draft invoices.', undefined, 'invoice_unexpected_state');
  for (const item of rt.state.invoiceItems.filter((i) => i.invoice === invoice.id)) item.invoice = null;
  rt.state.invoices.remove(invoice.id);
  rt.events.record('invoice.deleted', invoice);
  return { id: invoice.id, object: 'invoice', deleted: true };
}
