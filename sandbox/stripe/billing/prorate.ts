import type Stripe from 'stripe';
import type { StripeRuntime } from '../runtime.ts';
import { createInvoiceItem, type NewInvoiceItem } from './invoice-items.ts';
import { periodOf } from './subscription-object.ts';

function describe(rt: StripeRuntime, item: Stripe.SubscriptionItem, word: 'Unused' | 'Remaining', after: number): string {
  const product = rt.state.products.get(String(item.price.product))?.name ?? 'product';
  return `${word} time on ${item.quantity ?? 1} × ${product} after ${new Date(after * 1000).toISOString().slice(0, 10)}`;
}

function changed(before: Stripe.SubscriptionItem, after: Stripe.SubscriptionItem | undefined): boolean {
  return !after || after.price.id !== before.price.id || (after.quantity ?? 1) !== (before.quantity ?? 1);
}

/**
 * The invoice items Stripe's create_prorations makes, without making them: a credit for the
 * unused part of the old items and, unless the new price starts a new period of its own
 * (`chargeNewItems` false), a charge for the rest of the period at the new price. The invoice
 * preview shows these; `createProrations` stores them.
 */
export function prorationItems(rt: StripeRuntime, before: Stripe.Subscription, after: Stripe.Subscription, now: number, chargeNewItems: boolean): NewInvoiceItem[] {
  const period = periodOf(before);
  if (now >= period.end || now < period.start) return [];
  const fraction = (period.end - now) / (period.end - period.start);
  const remaining = { start: now, end: period.end };
  const made: NewInvoiceItem[] = [];
  const add = (item: Stripe.SubscriptionItem, sign: 1 | -1, word: 'Unused' | 'Remaining') => {
    const amount = sign * Math.round((item.price.unit_amount ?? 0) * (item.quantity ?? 1) * fraction);
    if (amount === 0) return;
    made.push({
      customer: String(after.customer),
      amount,
      currency: after.currency,
      description: describe(rt, item, word, now),
      period: remaining,
      quantity: item.quantity ?? 1,
      price: item.price,
      proration: true,
      subscription: after.id,
      metadata: {},
    });
  };
  for (const old of before.items.data) if (changed(old, after.items.data.find((item) => item.id === old.id))) add(old, -1, 'Unused');
  if (chargeNewItems) {
    for (const item of after.items.data) {
      const old = before.items.data.find((candidate) => candidate.id === item.id);
      if (!old || changed(old, item)) add(item, 1, 'Remaining');
    }
  }
  return made;
}

/** Stripe's create_prorations: the items of `prorationItems`, pending for the subscription's next invoice. */
export function createProrations(rt: StripeRuntime, before: Stripe.Subscription, after: Stripe.Subscription, now: number, chargeNewItems: boolean): Stripe.InvoiceItem[] {
  return prorationItems(rt, before, after, now, chargeNewItems).map((item) => createInvoiceItem(rt, item));
}
