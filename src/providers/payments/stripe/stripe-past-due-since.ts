import type Stripe from 'stripe';
import { callStripe } from './stripe-errors.ts';
import { paymentIntentOfInvoice } from './stripe-mappers.ts';

/** Stripe statuses recur counts as past due (unpaid: retries exhausted, the invoice still open). */
const PAST_DUE_STATUSES: ReadonlySet<string> = new Set(['past_due', 'unpaid']);

const dateOf = (seconds: number): Date => new Date(seconds * 1000);

export const isPastDueAtStripe = (status: string): boolean => PAST_DUE_STATUSES.has(status);

/**
 * When the subscription's failure incident began, as Stripe's own records tell it: the first failed
 * charge of its oldest unpaid invoice that was attempted. The oldest one, because a subscription
 * that stays past due over a second renewal has two failing invoices and its incident began with
 * the first; the first charge, because each retry adds a charge to the same PaymentIntent.
 *
 * Without a failed charge (an attempt with no payment method on file makes none) the invoice's
 * finalization stands in: Stripe attempts an auto-advancing invoice when it finalizes it. With no
 * unpaid invoice at all (voided, marked uncollectible by hand) Stripe has no fact: null, and the
 * caller decides. Costs two reads (open invoices, the charges of one PaymentIntent); only past-due
 * subscriptions pay them.
 */
export async function readPastDueSince(stripe: Stripe, subscription: Stripe.Subscription): Promise<Date | null> {
  if (!isPastDueAtStripe(subscription.status)) return null;
  const open = await callStripe(`listing the open invoices of subscription ${subscription.id}`, () =>
    stripe.invoices.list({ subscription: subscription.id, status: 'open', limit: 100, expand: ['data.payments'] }),
  );
  // Stripe lists newest first.
  const failing = open.data.filter((invoice) => invoice.attempted).at(-1);
  if (!failing) return null;
  const intent = paymentIntentOfInvoice(failing);
  const failedAt = intent ? await readFirstFailedCharge(stripe, intent) : null;
  return failedAt ?? dateOf(failing.status_transitions.finalized_at ?? failing.created);
}

/** The time of a PaymentIntent's first failed charge (each retry adds one); null when none failed. */
export async function readFirstFailedCharge(stripe: Stripe, paymentIntentId: string): Promise<Date | null> {
  const charges = await callStripe(`listing the charges of payment ${paymentIntentId}`, () => stripe.charges.list({ payment_intent: paymentIntentId, limit: 100 }));
  const failedAt = charges.data.filter((charge) => charge.status === 'failed').map((charge) => charge.created);
  return failedAt.length > 0 ? dateOf(Math.min(...failedAt)) : null;
}
