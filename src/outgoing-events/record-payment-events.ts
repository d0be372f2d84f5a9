import type { Queryable } from '../db/database.ts';
import { recordOutgoingEvent } from '../db/repositories/outgoing-event-repository.ts';
import type { PaymentRecord, PaymentStatus } from '../db/repositories/payment-repository.ts';
import { refundedTotalKey } from '../db/repositories/refund-repository.ts';
import type { OutgoingEventType } from '../domain/outgoing-event-type.ts';
import { toPaymentObject } from '../presentation/payment-object.ts';
import type { OutgoingEventContext } from './event-context.ts';
import { recordEntitlementChange } from './record-entitlement-change.ts';

/** The stored payment before the change, as far as the events care; null for a new payment. */
export type PaymentEventsBefore = { status: PaymentStatus; amountRefundedMinor: number } | null;

export type PaymentEventsChange = {
  before: PaymentEventsBefore;
  payment: PaymentRecord;
  /** The provider's facts: when it was paid, when it first failed. */
  paidAt: Date | null;
  failedAt: Date | null;
};

// Paid, whatever came after: a payment first seen disputed went through (only a charge that did can be disputed).
const PAID: ReadonlySet<PaymentStatus> = new Set(['succeeded', 'partially_refunded', 'refunded', 'disputed']);

// Without the provider's time of the outcome, the payment's own start (the invoice, else its creation).
const startOf = (payment: PaymentRecord): Date => payment.invoiceAt ?? payment.createdAt;

/**
 * Records, in the transaction of a payment's change, `payment.succeeded` when it is first paid (not
 * for 0, such as a trial's first invoice), `payment.refunded` each time the refunded total grows (a
 * partial refund too: the object carries the total refunded), `payment.failed` when it first fails;
 * then the customer's entitlement if it moved (refunded prepaid time gives none).
 */
export async function recordPaymentEvents(tx: Queryable, change: PaymentEventsChange, ctx: OutgoingEventContext): Promise<void> {
  const { payment, before } = change;
  const decisions: { type: OutgoingEventType; key: string; occurredAt: Date }[] = [];
  if (payment.amountMinor > 0 && PAID.has(payment.status) && !(before && PAID.has(before.status))) {
    decisions.push({ type: 'payment.succeeded', key: `payment.succeeded:${payment.id}`, occurredAt: change.paidAt ?? startOf(payment) });
  }
  if (payment.amountRefundedMinor > (before?.amountRefundedMinor ?? 0)) {
    // The provider's time of the state that shows the refund: recur keeps no refund's own time.
    decisions.push({ type: 'payment.refunded', key: `payment.refunded:${await refundedTotalKey(tx, payment.id, payment.amountRefundedMinor)}`, occurredAt: payment.providerUpdatedAt });
  }
  if (payment.status === 'failed' && before?.status !== 'failed') {
    decisions.push({ type: 'payment.failed', key: `payment.failed:${payment.id}`, occurredAt: change.failedAt ?? startOf(payment) });
  }
  if (decisions.length > 0) {
    const data = toPaymentObject(payment, await customerExternalId(tx, payment.customerId));
    for (const decision of decisions) {
      await recordOutgoingEvent(tx, { type: decision.type, customerId: payment.customerId, businessKey: decision.key, data, occurredAt: decision.occurredAt, now: ctx.now });
    }
  }
  await recordEntitlementChange(tx, { customerId: payment.customerId, occurredAt: decisions[0]?.occurredAt ?? payment.providerUpdatedAt }, ctx);
}

export async function customerExternalId(tx: Queryable, customerId: string): Promise<string> {
  return (await tx.query<{ external_id: string }>('SELECT external_id FROM customers WHERE id = $1', [customerId])).rows[0]!.external_id;
}
