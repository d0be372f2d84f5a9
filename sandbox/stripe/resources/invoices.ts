import type Stripe from 'stripe';
import { pendingItems } from '../billing/invoice-items.ts';
import { createInvoice, deleteDraft, finalizeInvoice, markInvoicePaid, markUncollectible, payInvoice, sendInvoice, voidInvoice } from '../billing/invoice-lifecycle.ts';
import { updateWithEvent } from '../events/record-update.ts';
import { resolvePaymentMethod } from '../payments/payment-methods.ts';
import type { StripeRuntime } from '../runtime.ts';
import { subscriptionIdOf, type StoredInvoice } from '../state/stripe-state.ts';
import { CREATED_RANGE, PAGINATION, type SpecOf } from '../wire/accepted-params.ts';
import { declareRoutes, type RouteTable } from '../wire/api-routes.ts';
import type { Params } from '../wire/form-body.ts';
import { listPage, matchesRange, newestFirst } from '../wire/list.ts';
import { mergeMetadata, nullableString, optionalBool, optionalEnum, optionalInt, optionalString, requireString } from '../wire/params.ts';
import { stripeErrors } from '../wire/stripe-error.ts';

function create(rt: StripeRuntime, params: Params): StoredInvoice {
  const customer = rt.state.customers.require(requireString(params, 'customer'), 'customer');
  const subscriptionId = optionalString(params, 'subscription');
  const subscription = subscriptionId ? rt.state.subscriptions.require(subscriptionId, 'subscription') : null;
  const behaviour = optionalEnum(params, 'pending_invoice_items_behavior', ['exclude', 'include'] as const) ?? 'exclude';
  const pending = behaviour === 'include' || subscription ? pendingItems(rt, customer.id, subscription ? subscription.id : null) : [];
  const now = rt.time.nowFor(customer.id);
  const collectionMethod = optionalEnum(params, 'collection_method', ['charge_automatically', 'send_invoice'] as const) ?? 'charge_automatically';
  const daysUntilDue = optionalInt(params, 'days_until_due', { min: 0 }) ?? null;
  if (collectionMethod === 'send_invoice' && daysUntilDue === null && !optionalInt(params, 'due_date')) throw stripeErrors.missingParam('days_until_due');
  const pm = optionalString(params, 'default_payment_method');
  return createInvoice(
    rt,
    {
      customer,
      currency: (optionalString(params, 'currency') ?? pending[0]?.currency ?? customer.currency ?? 'usd').toLowerCase(),
      subscription,
      billingReason: 'manual',
      collectionMethod,
      daysUntilDue,
      description: optionalString(params, 'description') ?? null,
      metadata: mergeMetadata(null, params),
      autoAdvance: optionalBool(params, 'auto_advance') ?? false,
      periodStart: now,
      periodEnd: now,
      defaultPaymentMethod: pm ? resolvePaymentMethod(rt, pm, 'default_payment_method').id : null,
      lines: [],
    },
    pending,
  );
}

function update(rt: StripeRuntime, invoice: StoredInvoice, params: Params): void {
  if (invoice.status !== 'draft' && invoice.status !== 'open') throw stripeErrors.invalidRequest(`This invoice is ${invoice.status} and can no longer be updated.`, undefined, 'invoice_not_editable');
  updateWithEvent(rt, 'invoice.updated', invoice, (i) => {
    i.metadata = mergeMetadata(i.metadata, params);
    const description = nullableString(params, 'description');
    if (description !== undefined) i.description = description;
    const autoAdvance = optionalBool(params, 'auto_advance');
    if (autoAdvance !== undefined) i.auto_advance = autoAdvance;
    const pm = nullableString(params, 'default_payment_method');
    if (pm !== undefined) i.default_payment_method = pm === null ? null : resolvePaymentMethod(rt, pm, 'default_payment_method').id;
    const footer = nullableString(params, 'footer');
    if (footer !== undefined) i.footer = footer;
  });
}

/** What each route accepts (besides `expand`); anything else is answered 400 `parameter_unknown`. */
const ACCEPTS = {
  'POST /invoices': {
    auto_advance: true,
    collection_method: true,
    currency: true,
    customer: true,
    days_until_due: true,
    default_payment_method: true,
    description: true,
    due_date: true,
    metadata: true,
    pending_invoice_items_behavior: true,
    subscription: true,
  } satisfies SpecOf<Stripe.InvoiceCreateParams>,
  'GET /invoices/:id': {} satisfies SpecOf<Stripe.InvoiceRetrieveParams>,
  'POST /invoices/:id': { auto_advance: true, default_payment_method: true, description: true, footer: true, metadata: true } satisfies SpecOf<Stripe.InvoiceUpdateParams>,
  'DELETE /invoices/:id': {} satisfies SpecOf<Stripe.InvoiceDeleteParams>,
  'POST /invoices/:id/finalize': { auto_advance: true } satisfies SpecOf<Stripe.InvoiceFinalizeInvoiceParams>,
  'POST /invoices/:id/pay': { off_session: true, paid_out_of_band: true, payment_method: true } satisfies SpecOf<Stripe.InvoicePayParams>,
  'POST /invoices/:id/void': {} satisfies SpecOf<Stripe.InvoiceVoidInvoiceParams>,
  'POST /invoices/:id/mark_uncollectible': {} satisfies SpecOf<Stripe.InvoiceMarkUncollectibleParams>,
  'POST /invoices/:id/send': {} satisfies SpecOf<Stripe.InvoiceSendInvoiceParams>,
  'GET /invoices/:id/lines': { ...PAGINATION } satisfies SpecOf<Stripe.InvoiceListLineItemsParams>,
  'GET /invoices': { ...PAGINATION, ...CREATED_RANGE, collection_method: true, customer: true, status: true, subscription: true } satisfies SpecOf<Stripe.InvoiceListParams>,
};

export function invoiceRoutes(rt: StripeRuntime): RouteTable {
  const { state } = rt;
  const invoice = (id: string) => state.invoices.require(id);
  return declareRoutes(ACCEPTS, {
    'POST /invoices': ({ params }) => create(rt, params),
    'GET /invoices/:id': ({ path }) => invoice(path.id!),
    'POST /invoices/:id': ({ path, params }) => {
      const found = invoice(path.id!);
      update(rt, found, params);
      return found;
    },
    'DELETE /invoices/:id': ({ path }) => deleteDraft(rt, invoice(path.id!)),
    'POST /invoices/:id/finalize': ({ path }) => {
      const found = invoice(path.id!);
      finalizeInvoice(rt, found);
      return found;
    },
    'POST /invoices/:id/pay': ({ path, params }) => {
      const found = invoice(path.id!);
      if (optionalBool(params, 'paid_out_of_band')) {
        if (found.status === 'draft') finalizeInvoice(rt, found);
        if (found.status === 'open') markInvoicePaid(rt, found);
        return found;
      }
      const pm = optionalString(params, 'payment_method');
      const error = payInvoice(rt, found, { paymentMethod: pm ? resolvePaymentMethod(rt, pm, 'payment_method').id : null, offSession: optionalBool(params, 'off_session') ?? true, fromApi: true });
      if (error) throw error;
      return found;
    },
    'POST /invoices/:id/void': ({ path }) => {
      const found = invoice(path.id!);
      voidInvoice(rt, found);
      return found;
    },
    'POST /invoices/:id/mark_uncollectible': ({ path }) => {
      const found = invoice(path.id!);
      markUncollectible(rt, found);
      return found;
    },
    'POST /invoices/:id/send': ({ path }) => {
      const found = invoice(path.id!);
      sendInvoice(rt, found);
      return found;
    },
    'GET /invoices/:id/lines': ({ path, params }) => {
      const found = invoice(path.id!);
      return listPage(found.lines.data, params, `/v1/invoices/${found.id}/lines`);
    },
    'GET /invoices': ({ params }) => {
      const customer = optionalString(params, 'customer');
      const subscription = optionalString(params, 'subscription');
      const status = optionalString(params, 'status');
      const collection = optionalString(params, 'collection_method');
      const items = state.invoices.filter(
        (i) => (!customer || i.customer === customer) && (!subscription || subscriptionIdOf(i) === subscription) && (!status || i.status === status) && (!collection || i.collection_method === collection) && matchesRange(i.created, params.created),
      );
      return listPage(newestFirst(items), params, '/v1/invoices');
    },
  });
}
