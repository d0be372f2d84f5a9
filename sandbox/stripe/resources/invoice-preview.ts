import type Stripe from 'stripe';
import { nextBoundary } from '../billing/calendar.ts';
import { applyCustomerBalance } from '../billing/customer-balance.ts';
import { pendingItems, priceOfItem } from '../billing/invoice-items.ts';
import { buildInvoice, invoiceLineFromItem, type LineInput } from '../billing/invoice-object.ts';
import { prorationItems } from '../billing/prorate.ts';
import { periodLines } from '../billing/subscription-invoices.ts';
import { cycleOf, periodOf } from '../billing/subscription-object.ts';
import { applyItems } from '../billing/update-subscription.ts';
import type { StripeRuntime } from '../runtime.ts';
import type { StoredInvoice } from '../state/stripe-state.ts';
import { type SpecOf } from '../wire/accepted-params.ts';
import { declareRoutes, type RouteTable } from '../wire/api-routes.ts';
import type { Params } from '../wire/form-body.ts';
import { anchorChoice, optionalArray, optionalEnum, optionalInt, optionalString } from '../wire/params.ts';
import { stripeErrors } from '../wire/stripe-error.ts';

const BEHAVIORS = ['create_prorations', 'none', 'always_invoice'] as const;

/**
 * POST /v1/invoices/create_preview for a subscription and the change in `subscription_details`:
 * the invoice that `POST /v1/subscriptions/:id` with the same items, proration_behavior and
 * proration_date would produce, built with the same proration code, stored nowhere. A change of
 * interval (or billing_cycle_anchor=now) previews the invoice made at once; always_invoice the
 * invoice of the prorations; otherwise the next renewal with the prorations pending for it.
 */
function previewSubscriptionInvoice(rt: StripeRuntime, params: Params): StoredInvoice {
  const subscriptionId = optionalString(params, 'subscription');
  // Stripe also previews a customer's next one-off invoice; recur only previews subscription changes.
  if (!subscriptionId) throw stripeErrors.missingParam('subscription');
  const subscription = rt.state.subscriptions.require(subscriptionId, 'subscription');
  if (subscription.status === 'canceled' || subscription.status === 'incomplete_expired') {
    throw stripeErrors.invalidRequest('You cannot preview the upcoming invoice for a canceled subscription.', 'subscription', 'invoice_upcoming_none');
  }
  const customerId = optionalString(params, 'customer') ?? String(subscription.customer);
  if (customerId !== String(subscription.customer)) throw stripeErrors.invalidRequest(`The subscription ${subscription.id} does not belong to customer ${customerId}.`, 'customer');
  const customer = rt.state.customers.require(customerId, 'customer');
  const now = rt.time.nowFor(customer.id);
  const prorationDate = optionalInt(params, 'subscription_details.proration_date') ?? now;
  const behavior = optionalEnum(params, 'subscription_details.proration_behavior', BEHAVIORS) ?? 'create_prorations';

  const after = structuredClone(subscription);
  const items = optionalArray(params, 'subscription_details.items');
  if (items) applyItems(rt, after, items, now);
  const oldCycle = cycleOf(subscription);
  const newCycle = cycleOf(after);
  const trialing = subscription.status === 'trialing';
  const cycleChanged = oldCycle.interval !== newCycle.interval || oldCycle.count !== newCycle.count;
  const restart = !trialing && (cycleChanged || anchorChoice(params, 'subscription_details.billing_cycle_anchor') === 'now');

  const pending: LineInput[] = pendingItems(rt, customer.id, subscription.id).map((item) => invoiceLineFromItem(item, priceOfItem(rt, item)));
  const prorating = items !== undefined && !trialing && behavior !== 'none';
  const prorations: LineInput[] = (prorating ? prorationItems(rt, subscription, after, prorationDate, !restart) : []).map((item) => ({
    amount: item.amount,
    description: item.description ?? '',
    period: item.period,
    quantity: item.quantity,
    price: item.price,
    proration: true,
    subscription: subscription.id,
  }));

  let lines: LineInput[];
  let invoicePeriod: { start: number; end: number };
  if (restart) {
    const period = { start: now, end: nextBoundary(now, newCycle.interval, newCycle.count, now) };
    lines = [...periodLines(rt, after, period), ...pending, ...prorations];
    invoicePeriod = { start: now, end: now };
  } else if (behavior === 'always_invoice' && prorations.length > 0) {
    lines = [...pending, ...prorations];
    invoicePeriod = { start: now, end: now };
  } else {
    const current = periodOf(after);
    const next = { start: current.end, end: nextBoundary(after.billing_cycle_anchor, newCycle.interval, newCycle.count, current.end) };
    lines = [...periodLines(rt, after, next), ...pending, ...prorations];
    invoicePeriod = current;
  }
  const invoice = buildInvoice(
    rt,
    {
      customer,
      currency: subscription.currency,
      subscription: after,
      // Stripe marks every preview so, whether it shows the invoice made at once or the next one.
      billingReason: 'upcoming',
      collectionMethod: subscription.collection_method,
      daysUntilDue: subscription.days_until_due,
      description: null,
      metadata: {},
      autoAdvance: false,
      periodStart: invoicePeriod.start,
      periodEnd: invoicePeriod.end,
      defaultPaymentMethod: null,
      lines,
    },
    true,
  );
  applyCustomerBalance(invoice, customer, true);
  if (prorating && invoice.parent?.subscription_details) invoice.parent.subscription_details.subscription_proration_date = prorationDate;
  return invoice;
}

/** What each route accepts (besides `expand`); anything else is answered 400 `parameter_unknown`. */
const ACCEPTS = {
  'POST /invoices/create_preview': {
    customer: true,
    subscription: true,
    subscription_details: {
      billing_cycle_anchor: true,
      items: { deleted: true, id: true, metadata: true, plan: true, price: true, quantity: true },
      proration_behavior: true,
      proration_date: true,
    },
  } satisfies SpecOf<Stripe.InvoiceCreatePreviewParams>,
};

export function invoicePreviewRoutes(rt: StripeRuntime): RouteTable {
  return declareRoutes(ACCEPTS, {
    'POST /invoices/create_preview': ({ params }) => previewSubscriptionInvoice(rt, params),
  });
}
