import type { Queryable } from '../db/database.ts';
import type { PaymentRecord, PaymentStatus } from '../db/repositories/payment-repository.ts';
import { findSubscription } from '../db/repositories/subscription-repository.ts';
import { refundedTotalKey } from '../db/repositories/refund-repository.ts';
import type { Plan } from '../domain/plan.ts';
import { enqueueCustomerNotice } from './enqueue-customer-notice.ts';
import type { PaymentFacts } from './notice-catalogue.ts';

/** The stored payment before the change, as far as the notices care; null for a new payment. */
export type PaymentBefore = { status: PaymentStatus; amountRefundedMinor: number; subscriptionId: string | null } | null;

export type PaymentChange = {
  before: PaymentBefore;
  payment: PaymentRecord;
  /** The provider's facts (never the time of the event that reported them): when it was paid, when it first failed. */
  paidAt: Date | null;
  failedAt: Date | null;
  plans: readonly Plan[];
  now: Date;
  /** false: the change writes no payment-failed notice (a declined attempt reconciliation recovered late). */
  failureNotice?: boolean;
};

const PAID: ReadonlySet<PaymentStatus> = new Set(['succeeded', 'partially_refunded', 'refunded']);

// Without the provider's time of the outcome, the payment's own start (the PaymentIntent's creation).
const startOf = (payment: PaymentRecord): Date => payment.invoiceAt ?? payment.createdAt;

function describePayment(payment: PaymentRecord, paidAt: Date | null): PaymentFacts {
  return {
    payment_id: payment.id,
    amount_minor: payment.amountMinor,
    currency: payment.currency,
    paid_at: (paidAt ?? startOf(payment)).toISOString(),
    method_summary: payment.methodSummary,
  };
}

/**
 * The notices a recorded payment change calls for, in the transaction of the change: a receipt
 * when it is first paid (not for an amount of 0, such as a trial's first invoice), a refund
 * receipt each time the refunded total grows, and a payment-failed notice when it first fails.
 * Only payments of a subscription get notices: they describe what the customer is subscribed to.
 * One-time payments get none yet.
 */
export async function notifyPaymentChange(tx: Queryable, change: PaymentChange): Promise<void> {
  const { payment, plans, now } = change;
  if (!payment.subscriptionId) return;
  const subscription = await findSubscription(tx, payment.subscriptionId);
  if (!subscription) return;
  // A state recorded before the payment was linked to its subscription could have no notice, so
  // the first linked state is compared with nothing.
  const seen = change.before?.subscriptionId ? change.before : null;
  const facts = describePayment(payment, change.paidAt);

  // A first payment by direct debit leaves the subscription incomplete for days while the bank
  // processes it; the customer signed up now and is confirmed now (the same key as the
  // confirmation its activation would write, so one is sent).
  if (payment.status === 'processing' && subscription.status === 'incomplete') {
    await enqueueCustomerNotice(tx, { template: 'enrolment-confirmation', businessKey: `enrolment:${subscription.id}`, subscription, plans, details: {}, now });
  }
  if (payment.amountMinor > 0 && PAID.has(payment.status) && !(seen && PAID.has(seen.status))) {
    await enqueueCustomerNotice(tx, { template: 'receipt', businessKey: `receipt:${payment.id}`, subscription, plans, details: { payment: facts }, now });
  }
  const refundedBefore = seen?.amountRefundedMinor ?? 0;
  if (payment.amountRefundedMinor > refundedBefore) {
    await enqueueCustomerNotice(tx, {
      template: 'refund-receipt',
      businessKey: `refund:${await refundedTotalKey(tx, payment.id, payment.amountRefundedMinor)}`,
      subscription,
      plans,
      details: { payment: facts, refunded_minor: payment.amountRefundedMinor - refundedBefore, refunded_total_minor: payment.amountRefundedMinor },
      now,
    });
  }
  if (payment.status === 'failed' && seen?.status !== 'failed' && change.failureNotice !== false) {
    // A SEPA debit fails days after it was taken, when the bank returns it: the customer is told
    // that, and how to pay another way, rather than that a card was declined.
    if (payment.methodType === 'sepa_debit') {
      await enqueueCustomerNotice(tx, {
        template: 'direct-debit-returned',
        businessKey: `direct-debit-returned:${payment.id}`,
        subscription: payment.mandateReference ? { ...subscription, mandateReference: payment.mandateReference } : subscription,
        plans,
        details: { payment_id: payment.id, amount_due_minor: payment.amountMinor, failed_at: (change.failedAt ?? startOf(payment)).toISOString() },
        now,
      });
      return;
    }
    await enqueueCustomerNotice(tx, {
      template: 'payment-failed',
      businessKey: `payment-failed:${payment.id}`,
      subscription,
      plans,
      details: { amount_due_minor: payment.amountMinor, failed_at: (change.failedAt ?? startOf(payment)).toISOString() },
      now,
    });
  }
}
