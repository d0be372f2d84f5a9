import type Stripe from 'stripe';
import type { StripeRuntime } from '../runtime.ts';
import { newId } from '../state/ids.ts';
import { wireDecimal } from '../state/wire-decimal.ts';
import type { StoredInvoice } from '../state/stripe-state.ts';
import { CREATED_RANGE, PAGINATION, type SpecOf } from '../wire/accepted-params.ts';
import { declareRoutes, type RouteTable } from '../wire/api-routes.ts';
import type { Params } from '../wire/form-body.ts';
import { listPage, matchesRange, newestFirst } from '../wire/list.ts';
import { mergeMetadata, nullableString, optionalBool, optionalInt, optionalString, requireString } from '../wire/params.ts';
import { stripeErrors } from '../wire/stripe-error.ts';
import { buildLine, invoiceLineFromItem, recomputeTotals } from './invoice-object.ts';

export type NewInvoiceItem = {
  customer: string;
  amount: number;
  currency: string;
  description: string | null;
  period: { start: number; end: number };
  quantity: number;
  price: Stripe.Price | null;
  proration: boolean;
  subscription: string | null;
  metadata: Record<string, string>;
};

export function priceOfItem(rt: StripeRuntime, item: Stripe.InvoiceItem): Stripe.Price | null {
  const price = item.pricing?.price_details?.price;
  return typeof price === 'string' ? (rt.state.prices.get(price) ?? null) : null;
}

/** Puts an item on a draft invoice as a line. */
export function addItemToInvoice(rt: StripeRuntime, item: Stripe.InvoiceItem, invoice: StoredInvoice): void {
  item.invoice = invoice.id;
  invoice.lines.data.push(buildLine(invoice.id, invoiceLineFromItem(item, priceOfItem(rt, item)), invoice.currency));
  recomputeTotals(invoice);
}

export function createInvoiceItem(rt: StripeRuntime, input: NewInvoiceItem): Stripe.InvoiceItem {
  const customer = rt.state.customers.require(input.customer, 'customer');
  const item: Stripe.InvoiceItem = {
    id: newId('ii'),
    object: 'invoiceitem',
    amount: input.amount,
    currency: input.currency,
    customer: customer.id,
    customer_account: null,
    date: rt.time.nowFor(customer.id),
    description: input.description,
    discountable: !input.proration,
    discounts: [],
    invoice: null,
    livemode: false,
    metadata: input.metadata,
    net_amount: input.amount,
    parent: input.subscription ? ({ subscription_details: { subscription: input.subscription, subscription_item: undefined }, type: 'subscription_details' } as unknown as Stripe.InvoiceItem.Parent) : null,
    period: input.period,
    pricing: input.price ? ({ price_details: { price: input.price.id, product: String(input.price.product) }, type: 'price_details', unit_amount_decimal: input.price.unit_amount_decimal } as unknown as Stripe.InvoiceItem.Pricing) : null,
    proration: input.proration,
    quantity: input.quantity,
    quantity_decimal: wireDecimal(input.quantity),
    tax_rates: [],
    test_clock: typeof customer.test_clock === 'string' ? customer.test_clock : null,
  };
  rt.state.invoiceItems.add(item);
  rt.events.record('invoiceitem.created', item);
  return item;
}

/** Items of a customer not yet on an invoice (for one subscription, or for none). */
export function pendingItems(rt: StripeRuntime, customerId: string, subscriptionId: string | null | 'any'): Stripe.InvoiceItem[] {
  return rt.state.invoiceItems.filter(
    (item) => item.customer === customerId && item.invoice === null && (subscriptionId === 'any' || (item.parent?.subscription_details?.subscription ?? null) === subscriptionId),
  );
}

function fromParams(rt: StripeRuntime, params: Params): NewInvoiceItem {
  const customer = requireString(params, 'customer');
  const priceId = optionalString(params, 'price') ?? optionalString(params, 'pricing.price');
  const price = priceId ? rt.state.prices.require(priceId, 'price') : null;
  const quantity = optionalInt(params, 'quantity', { min: 0 }) ?? 1;
  const unit = optionalInt(params, 'unit_amount') ?? (optionalString(params, 'unit_amount_decimal') ? Math.round(Number(params.unit_amount_decimal)) : undefined);
  const amount = optionalInt(params, 'amount') ?? (unit !== undefined ? unit * quantity : price ? (price.unit_amount ?? 0) * quantity : undefined);
  if (amount === undefined) throw stripeErrors.missingParam('amount');
  const currency = optionalString(params, 'currency') ?? price?.currency;
  if (!currency) throw stripeErrors.missingParam('currency');
  const now = rt.time.nowFor(customer);
  return {
    customer,
    amount,
    currency: currency.toLowerCase(),
    description: optionalString(params, 'description') ?? null,
    period: { start: optionalInt(params, 'period.start') ?? now, end: optionalInt(params, 'period.end') ?? now },
    quantity,
    price,
    proration: false,
    subscription: optionalString(params, 'subscription') ?? null,
    metadata: mergeMetadata(null, params),
  };
}

function requireEditable(rt: StripeRuntime, item: Stripe.InvoiceItem): void {
  const invoice = item.invoice ? rt.state.invoices.get(String(item.invoice)) : undefined;
  if (invoice && invoice.status !== 'draft') throw stripeErrors.invalidRequest('Invoice items on finalized invoices cannot be changed or deleted.', undefined, 'invoice_not_editable');
}

/** What each route accepts (besides `expand`); anything else is answered 400 `parameter_unknown`. */
const ACCEPTS = {
  'POST /invoiceitems': {
    amount: true,
    currency: true,
    customer: true,
    description: true,
    invoice: true,
    metadata: true,
    period: { end: true, start: true },
    pricing: { price: true },
    quantity: true,
    subscription: true,
    unit_amount_decimal: true,
  } satisfies SpecOf<Stripe.InvoiceItemCreateParams>,
  'GET /invoiceitems/:id': {} satisfies SpecOf<Stripe.InvoiceItemRetrieveParams>,
  'POST /invoiceitems/:id': { amount: true, description: true, metadata: true } satisfies SpecOf<Stripe.InvoiceItemUpdateParams>,
  'DELETE /invoiceitems/:id': {} satisfies SpecOf<Stripe.InvoiceItemDeleteParams>,
  'GET /invoiceitems': { ...PAGINATION, ...CREATED_RANGE, customer: true, invoice: true, pending: true } satisfies SpecOf<Stripe.InvoiceItemListParams>,
};

export function invoiceItemRoutes(rt: StripeRuntime): RouteTable {
  const { state } = rt;
  return declareRoutes(ACCEPTS, {
    'POST /invoiceitems': ({ params }) => {
      const invoiceId = optionalString(params, 'invoice');
      const invoice = invoiceId ? state.invoices.require(invoiceId, 'invoice') : undefined;
      if (invoice && invoice.status !== 'draft') throw stripeErrors.invalidRequest('You can only add invoice items to draft invoices.', 'invoice', 'invoice_not_editable');
      const item = createInvoiceItem(rt, fromParams(rt, params));
      if (invoice) addItemToInvoice(rt, item, invoice);
      return item;
    },
    'GET /invoiceitems/:id': ({ path }) => state.invoiceItems.require(path.id!),
    'POST /invoiceitems/:id': ({ path, params }) => {
      const item = state.invoiceItems.require(path.id!);
      requireEditable(rt, item);
      // The pinned API version has no invoiceitem.updated event: the change is silent, as in Stripe.
      item.amount = optionalInt(params, 'amount') ?? item.amount;
      const description = nullableString(params, 'description');
      if (description !== undefined) item.description = description;
      item.metadata = mergeMetadata(item.metadata, params);
      return item;
    },
    'DELETE /invoiceitems/:id': ({ path }) => {
      const item = state.invoiceItems.require(path.id!);
      requireEditable(rt, item);
      const invoice = item.invoice ? state.invoices.get(String(item.invoice)) : undefined;
      if (invoice) {
        invoice.lines.data = invoice.lines.data.filter((l) => l.parent?.invoice_item_details?.invoice_item !== item.id);
        recomputeTotals(invoice);
      }
      state.invoiceItems.remove(item.id);
      rt.events.record('invoiceitem.deleted', item);
      return { id: item.id, object: 'invoiceitem', deleted: true };
    },
    'GET /invoiceitems': ({ params }) => {
      const customer = optionalString(params, 'customer');
      const invoice = optionalString(params, 'invoice');
      const pending = optionalBool(params, 'pending');
      const items = state.invoiceItems.filter(
        (i) => (!customer || i.customer === customer) && (!invoice || i.invoice === invoice) && (pending === undefined || (i.invoice === null) === pending) && matchesRange(i.date, params.created),
      );
      return listPage(newestFirst(items, (i) => i.date), params, '/v1/invoiceitems');
    },
  });
}
