import type { Queryable } from '../../db/database.ts';
import { recordAudit } from '../../db/repositories/audit-log-repository.ts';
import { lowerRefundedAmount, type PaymentStatus } from '../../db/repositories/payment-repository.ts';
import { findRefund, findRefundOfProvider, followProviderRefund, insertProviderMadeRefund, type RefundRecord } from '../../db/repositories/refund-repository.ts';
import type { ProviderId } from '../../domain/provider.ts';
import type { OutgoingEventContext } from '../../outgoing-events/event-context.ts';
import { recordPaymentEvents } from '../../outgoing-events/record-payment-events.ts';
import type { ProviderPayment } from '../../providers/payments/provider-objects.ts';
import type { ProviderRefund } from '../../providers/payments/risk-operations.ts';
import { refundStatusOf } from './refund-status.ts';

export type ProviderRefundsInput = {
  provider: ProviderId;
  /** recur's row of the payment the refunds belong to (recorded before them, in this transaction). */
  paymentId: string;
  /** The payment as the provider holds it, read after the refunds. */
  payment: ProviderPayment;
  refunds: readonly ProviderRefund[];
};

/** What a refund made at the provider is called when the provider gives no reason. */
export const MADE_AT_PROVIDER = 'made at the provider';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const AUDIT_ACTION = { pending: 'refund_pending', succeeded: 'refunded', failed: 'refund_failed' } as const;

/** The row recur asked for this refund by (its id in the refund's metadata), or the one it already has by the provider's id. */
async function rowOf(tx: Queryable, input: ProviderRefundsInput, refund: ProviderRefund): Promise<RefundRecord | null> {
  if (refund.recurRefundId && UUID.test(refund.recurRefundId)) {
    const asked = await findRefund(tx, refund.recurRefundId);
    // Metadata can be edited at the provider: it only names a row of this very payment.
    if (asked && asked.paymentId === input.paymentId && asked.provider === input.provider) return asked;
  }
  return findRefundOfProvider(tx, input.provider, refund.id);
}

/**
 * Each refund of a payment, as the provider holds it now, on recur's refund row: the row recur
 * asked for it by follows the provider's status (it may have been answered `pending`, or turn
 * `failed` after `succeeded`), and a refund recur did not ask for (made in the provider's
 * dashboard) gets a row of its own, keyed by its provider id, so the payment lists it. A refund that
 * turns failed takes the payment's refunded total back down to the provider's. Idempotent: a
 * second delivery finds nothing to change.
 */
export async function recordProviderRefunds(tx: Queryable, input: ProviderRefundsInput, ctx: OutgoingEventContext & { actor: string }): Promise<string[]> {
  const done: string[] = [];
  let failedNow = false;
  for (const refund of input.refunds) {
    const status = refundStatusOf(refund);
    const failure = status === 'failed' ? (refund.failureReason ?? refund.status) : null;
    const row = await rowOf(tx, input, refund);
    const changed = row
      ? await followProviderRefund(tx, row.id, { status, providerRefundId: refund.id, failure }, ctx.now)
      : await insertProviderMadeRefund(
          tx,
          { paymentId: input.paymentId, provider: input.provider, providerRefundId: refund.id, amountMinor: refund.amountMinor, currency: refund.currency, reason: refund.reason ?? MADE_AT_PROVIDER, status, failure, createdAt: refund.created },
          ctx.now,
        );
    if (!changed || (row && row.status === changed.status)) continue;
    if (changed.status === 'failed') failedNow = true;
    await recordAudit(tx, {
      at: ctx.now,
      actor: ctx.actor,
      entity: 'payment',
      entityId: input.paymentId,
      action: row ? AUDIT_ACTION[changed.status] : 'refund_made_at_provider',
      before: row ? { refundId: row.id, status: row.status } : null,
      after: { refundId: changed.id, providerRefundId: refund.id, amountMinor: refund.amountMinor, currency: refund.currency, status: changed.status, failure: changed.failure },
      reason: changed.reason,
    });
    done.push(`refund ${refund.id} ${row ? changed.status : `recorded (${changed.status})`}`);
  }
  if (failedNow) {
    const before = (await tx.query<{ status: PaymentStatus; refunded: string | number }>('SELECT status, amount_refunded_minor AS refunded FROM payments WHERE id = $1', [input.paymentId])).rows[0];
    const lowered = await lowerRefundedAmount(tx, { provider: input.provider, providerPaymentId: input.payment.id }, { amountRefundedMinor: input.payment.amountRefundedMinor, status: input.payment.status }, ctx.now);
    if (lowered) {
      await recordAudit(tx, {
        at: ctx.now,
        actor: ctx.actor,
        entity: 'payment',
        entityId: lowered.id,
        action: 'sync',
        before: null,
        after: { status: lowered.status, amountMinor: lowered.amountMinor, amountRefundedMinor: lowered.amountRefundedMinor, currency: lowered.currency },
      });
      // No event says "refund undone" (the payment object's total shows it); the entitlement follows, e.g. refunded prepaid time that counts again.
      await recordPaymentEvents(tx, { before: before ? { status: before.status, amountRefundedMinor: Number(before.refunded) } : null, payment: lowered, paidAt: null, failedAt: null }, ctx);
      done.push(`payment refunded total back to ${lowered.amountRefundedMinor}`);
    }
  }
  return done;
}
