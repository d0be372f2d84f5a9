import type Stripe from 'stripe';
import type { StripeRuntime } from '../runtime.ts';
import { newId } from '../state/ids.ts';
import { wireDecimal } from '../state/wire-decimal.ts';
import type { StoredInvoice } from '../state/stripe-state.ts';

/** One line: from a subscription item (a period of a price) or from an invoice item. */
export type LineInput = {
  amount: number;
  description: string;
  period: { start: number; end: number };
  quantity: number;
  price: Stripe.Price | null;
  proration: boolean;
  invoiceItem?: string;
  subscription?: string | null;
  subscriptionItem?: string;
};

export type InvoiceInput = {
  customer: Stripe.Customer;
  currency: string;
  subscription: Stripe.Subscription | null;
  billingReason: Stripe.Invoice.BillingReason;
  collectionMethod: Stripe.Invoice.CollectionMethod;
  daysUntilDue: number | null;
  description: string | null;
  metadata: Record<string, string>;
  autoAdvance: boolean;
  periodStart: number;
  periodEnd: number;
  defaultPaymentMethod: string | null;
  lines: LineInput[];
};

export function buildLine(invoiceId: string | null, input: LineInput, currency: string): Stripe.InvoiceLineItem {
  const subscription = input.subscription ?? null;
  const parent = input.subscriptionItem
    ? { type: 'subscription_item_details', invoice_item_details: null, subscription_item_details: { invoice_item: input.invoiceItem ?? null, proration: input.proration, proration_details: { credited_items: null }, subscription, subscription_item: input.subscriptionItem } }
    : { type: 'invoice_item_details', subscription_item_details: null, invoice_item_details: { invoice_item: input.invoiceItem ?? null, proration: input.proration, proration_details: { credited_items: null }, subscription } };
  return {
    id: newId('il'),
    object: 'line_item',
    amount: input.amount,
    currency,
    description: input.description,
    discount_amounts: [],
    discountable: !input.proration,
    discounts: [],
    invoice: invoiceId,
    livemode: false,
    metadata: {},
    parent: parent as Stripe.InvoiceLineItem.Parent,
    period: input.period,
    pretax_credit_amounts: [],
    pricing: input.price
      ? ({ price_details: { price: input.price.id, product: String(input.price.product) }, type: 'price_details', unit_amount_decimal: input.price.unit_amount_decimal } as unknown as Stripe.InvoiceLineItem.Pricing)
      : null,
    quantity: input.quantity,
    quantity_decimal: wireDecimal(input.quantity),
    subscription,
    subtotal: input.amount,
    taxes: [],
  };
}

/**
 * An invoice shaped like fixtures3.json's sample: a draft with its lines and totals. `id: null`
 * makes the preview sent with `invoice.upcoming`, which Stripe does not store.
 */
export function buildInvoice(rt: StripeRuntime, input: InvoiceInput, preview = false): StoredInvoice {
  const id = preview ? `upcoming_${newId('in')}` : newId('in');
  const total = input.lines.reduce((sum, item) => sum + item.amount, 0);
  const customer = input.customer;
  const subscriptionId = input.subscription?.id ?? null;
  const now = rt.time.nowFor(customer.id);
  return {
    id,
    object: 'invoice',
    account_country: 'NL',
    account_name: 'recur sandbox',
    account_tax_ids: null,
    amount_due: Math.max(0, total),
    amount_overpaid: 0,
    amount_paid: 0,
    amount_remaining: Math.max(0, total),
    amount_shipping: 0,
    application: null,
    attempt_count: 0,
    attempted: false,
    auto_advance: input.autoAdvance,
    automatic_tax: { disabled_reason: null, enabled: false, liability: null, provider: null, status: null },
    automatically_finalizes_at: null,
    billing_reason: input.billingReason,
    collection_method: input.collectionMethod,
    created: now,
    currency: input.currency,
    custom_fields: null,
    customer: customer.id,
    customer_account: null,
    customer_address: customer.address ?? null,
    customer_email: customer.email,
    customer_name: customer.name ?? null,
    customer_phone: customer.phone ?? null,
    customer_shipping: null,
    customer_tax_exempt: customer.tax_exempt ?? 'none',
    customer_tax_ids: [],
    default_payment_method: input.defaultPaymentMethod,
    default_source: null,
    default_tax_rates: [],
    description: input.description,
    discounts: [],
    due_date: input.collectionMethod === 'send_invoice' ? now + (input.daysUntilDue ?? 30) * 86_400 : null,
    effective_at: null,
    ending_balance: null,
    footer: null,
    from_invoice: null,
    hosted_invoice_url: null,
    invoice_pdf: null,
    issuer: { type: 'self' },
    last_finalization_error: null,
    latest_revision: null,
    lines: { object: 'list', data: input.lines.map((item) => buildLine(preview ? null : id, item, input.currency)), has_more: false, url: `/v1/invoices/${id}/lines` },
    livemode: false,
    metadata: input.metadata,
    next_payment_attempt: null,
    number: null,
    on_behalf_of: null,
    parent: subscriptionId
      ? ({ quote_details: null, subscription_details: { metadata: input.subscription?.metadata ?? {}, subscription: subscriptionId }, type: 'subscription_details' } as Stripe.Invoice.Parent)
      : null,
    payment_settings: { default_mandate: null, payment_method_options: null, payment_method_types: null },
    period_end: input.periodEnd,
    period_start: input.periodStart,
    post_payment_credit_notes_amount: 0,
    pre_payment_credit_notes_amount: 0,
    receipt_number: null,
    rendering: null,
    shipping_cost: null,
    shipping_details: null,
    starting_balance: 0,
    statement_descriptor: null,
    status: 'draft',
    status_transitions: { finalized_at: null, marked_uncollectible_at: null, paid_at: null, voided_at: null },
    subtotal: total,
    subtotal_excluding_tax: total,
    test_clock: typeof customer.test_clock === 'string' ? customer.test_clock : null,
    total,
    total_discount_amounts: [],
    total_excluding_tax: total,
    total_pretax_credit_amounts: [],
    total_taxes: [],
    webhooks_delivered_at: now,
  };
}

/** Recomputes totals after lines changed (invoice items added to a draft). */
export function recomputeTotals(invoice: StoredInvoice): void {
  const total = invoice.lines.data.reduce((sum, item) => sum + item.amount, 0);
  invoice.subtotal = total;
  invoice.subtotal_excluding_tax = total;
  invoice.total = total;
  invoice.total_excluding_tax = total;
  invoice.amount_due = Math.max(0, total);
  invoice.amount_remaining = Math.max(0, total - invoice.amount_paid);
}

export function invoiceLineFromItem(item: Stripe.InvoiceItem, price: Stripe.Price | null): LineInput {
  return {
    amount: item.amount,
    description: item.description ?? '',
    period: item.period,
    quantity: item.quantity,
    price,
    proration: item.proration,
    invoiceItem: item.id,
    subscription: item.parent?.subscription_details?.subscription ?? null,
  };
}
