import type Stripe from 'stripe';
import type { StripeRuntime } from '../runtime.ts';
import type { StoredInvoice } from '../state/stripe-state.ts';
import type { StripeApiError } from '../wire/stripe-error.ts';
import { pendingItems } from './invoice-items.ts';
import { createInvoice, finalizeInvoice, intentFor, markUncollectible, payInvoice, voidInvoice } from './invoice-lifecycle.ts';
import type { LineInput } from './invoice-object.ts';

export type Period = { start: number; end: number };

function describeItem(rt: StripeRuntime, item: Stripe.SubscriptionItem, prefix = ''): string {
  const product = rt.state.products.get(String(item.price.product));
  const amount = ((item.price.unit_amount ?? 0) / 100).toFixed(2);
  const every = item.price.recurring?.interval_count === 1 ? item.price.recurring.interval : `${item.price.recurring?.interval_count} ${item.price.recurring?.interval}s`;
  return `${prefix}${item.quantity ?? 1} × ${product?.name ?? 'product'} (at ${amount} ${item.price.currency.toUpperCase()} / ${every})`;
}

/** One line per item for a full period (a renewal) or a free one (a trial). */
export function periodLines(rt: StripeRuntime, subscription: Stripe.Subscription, period: Period, trial = false): LineInput[] {
  return subscription.items.data.map((item) => ({
    amount: trial ? 0 : (item.price.unit_amount ?? 0) * (item.quantity ?? 1),
    description: trial ? describeItem(rt, item, 'Trial period for ') : describeItem(rt, item),
    period,
    quantity: item.quantity ?? 1,
    price: item.price,
    proration: false,
    subscription: subscription.id,
    subscriptionItem: item.id,
  }));
}

/** What happens to a new subscription invoice: charged, left as a draft, or kept out of collection (pause_collection). */
export type CollectionMode = 'charge' | 'draft' | 'void' | 'mark_uncollectible' | 'keep_as_draft' | 'open';

export type SubscriptionInvoiceInput = {
  billingReason: Stripe.Invoice.BillingReason;
  invoicePeriod: Period;
  lines: LineInput[];
  mode: CollectionMode;
  offSession: boolean;
};

/**
 * Creates the subscription's invoice (with its pending prorations), finalizes it and collects it
 * the way the subscription is set up. Returns the card error of a failed first payment, if any.
 */
export function invoiceSubscription(rt: StripeRuntime, subscription: Stripe.Subscription, input: SubscriptionInvoiceInput): { invoice: StoredInvoice; error: StripeApiError | null } {
  const customer = rt.state.customers.require(String(subscription.customer));
  const invoice = createInvoice(
    rt,
    {
      customer,
      currency: subscription.currency,
      subscription,
      billingReason: input.billingReason,
      collectionMethod: subscription.collection_method,
      daysUntilDue: subscription.days_until_due,
      description: null,
      metadata: {},
      autoAdvance: input.mode !== 'draft' && input.mode !== 'keep_as_draft',
      periodStart: input.invoicePeriod.start,
      periodEnd: input.invoicePeriod.end,
      defaultPaymentMethod: null,
      lines: input.lines,
    },
    pendingItems(rt, customer.id, subscription.id),
  );
  if (input.mode === 'draft' || input.mode === 'keep_as_draft') return { invoice, error: null };
  finalizeInvoice(rt, invoice);
  if (invoice.status !== 'open') return { invoice, error: null };
  if (input.mode === 'void') voidInvoice(rt, invoice);
  else if (input.mode === 'mark_uncollectible') markUncollectible(rt, invoice);
  else if (input.mode === 'open') intentFor(rt, invoice, subscription.default_payment_method ? String(subscription.default_payment_method) : null);
  else if (input.mode === 'charge' && subscription.collection_method === 'charge_automatically') {
    return { invoice, error: payInvoice(rt, invoice, { offSession: input.offSession, fromApi: false }) };
  }
  return { invoice, error: null };
}
