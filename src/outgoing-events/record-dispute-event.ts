import type { Queryable } from '../db/database.ts';
import type { DisputeRecord } from '../db/repositories/dispute-repository.ts';
import { recordOutgoingEvent } from '../db/repositories/outgoing-event-repository.ts';
import type { PaymentRecord } from '../db/repositories/payment-repository.ts';
import { isoOrNull } from '../presentation/iso-time.ts';
import { toPaymentObject } from '../presentation/payment-object.ts';
import { customerExternalId } from './record-payment-events.ts';

/**
 * `payment.disputed` when recur first records a dispute, in that transaction: the disputed payment
 * with the dispute beside it, at the time the provider opened it. A dispute of a payment recur
 * never recorded has no payment to show and records nothing (the admin alert still tells).
 */
export async function recordDisputeEvent(tx: Queryable, input: { dispute: DisputeRecord; payment: PaymentRecord | null; now: Date }): Promise<void> {
  const { dispute, payment } = input;
  if (!payment) return;
  await recordOutgoingEvent(tx, {
    type: 'payment.disputed',
    customerId: payment.customerId,
    businessKey: `payment.disputed:${dispute.id}`,
    data: {
      ...toPaymentObject(payment, await customerExternalId(tx, payment.customerId)),
      dispute: {
        id: dispute.id,
        provider_dispute_id: dispute.providerDisputeId,
        amount_minor: dispute.amountMinor,
        currency: dispute.currency,
        reason: dispute.reason,
        status: dispute.status,
        evidence_due_by: isoOrNull(dispute.evidenceDueBy),
        opened_at: dispute.openedAt.toISOString(),
      },
    },
    occurredAt: dispute.openedAt,
    now: input.now,
  });
}
