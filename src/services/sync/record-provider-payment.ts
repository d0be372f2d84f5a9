import type { Queryable } from '../../db/database.ts';
import { recordAudit } from '../../db/repositories/audit-log-repository.ts';
import { upsertPayment, type PaymentStatus, type PaymentUpsertOutcome } from '../../db/repositories/payment-repository.ts';
import type { EntitlementPolicy } from '../../domain/entitlement.ts';
import type { Plan } from '../../domain/plan.ts';
import type { ProviderId } from '../../domain/provider.ts';
import { notifyPaymentChange } from '../../notifications/payment-notice-hooks.ts';
import { recordPaymentEvents } from '../../outgoing-events/record-payment-events.ts';
import type { ProviderPayment } from '../../providers/payments/provider-objects.ts';
import type { Actor } from '../service-context.ts';
import { lockCustomerForWrite } from '../../db/repositories/customer-repository.ts';

export type RecordPaymentInput = {
  provider: ProviderId;
  customerId: string;
  /** recur's subscription row, when the payment pays one. */
  subscriptionId: string | null;
  payment: ProviderPayment;
  version: Date;
  /** The plan catalogue, for what receipts and payment-failed notices say about the subscription. */
  plans: readonly Plan[];
  /** The rule the entitlement API answers with, for `entitlement.changed`. */
  entitlementPolicy: EntitlementPolicy;
  now: Date;
  actor: Actor;
  /** false: no payment-failed notice (reconciliation's recovered declined attempts, which no webhook records either). */
  failureNotice?: boolean;
};

/**
 * Merges one provider payment into recur's row (never backwards), audits a change and writes the
 * notices (receipt, refund receipt, payment failed) and outgoing events it calls for.
 */
export async function recordProviderPayment(tx: Queryable, input: RecordPaymentInput): Promise<PaymentUpsertOutcome> {
  const { payment } = input;
  await lockCustomerForWrite(tx, input.customerId);
  const stored = await tx.query<{ status: PaymentStatus; amount_refunded_minor: string | number; subscription_id: string | null }>(
    'SELECT status, amount_refunded_minor, subscription_id FROM payments WHERE provider = $1 AND provider_payment_id = $2 FOR UPDATE',
    [input.provider, payment.id],
  );
  const existing = stored.rows[0];
  const result = await upsertPayment(
    tx,
    {
      customerId: input.customerId,
      subscriptionId: input.subscriptionId,
      provider: input.provider,
      providerPaymentId: payment.id,
      kind: input.subscriptionId ? 'subscription' : 'one_time',
      amountMinor: payment.amountMinor,
      currency: payment.currency,
      amountRefundedMinor: payment.amountRefundedMinor,
      status: payment.status,
      methodSummary: payment.methodSummary,
      methodType: payment.methodType ?? null,
      mandateReference: payment.mandateReference ?? null,
      invoiceAt: payment.at,
      providerUpdatedAt: input.version,
    },
    input.now,
  );
  if (result.outcome !== 'unchanged') {
    await recordAudit(tx, {
      at: input.now,
      actor: input.actor,
      entity: 'payment',
      entityId: result.payment.id,
      action: result.outcome === 'inserted' ? 'create' : 'sync',
      before: null,
      after: { status: result.payment.status, amountMinor: result.payment.amountMinor, amountRefundedMinor: result.payment.amountRefundedMinor, currency: result.payment.currency },
    });
    const before = existing ? { status: existing.status, amountRefundedMinor: Number(existing.amount_refunded_minor), subscriptionId: existing.subscription_id } : null;
    await notifyPaymentChange(tx, { before, payment: result.payment, paidAt: payment.paidAt, failedAt: payment.failedAt, plans: input.plans, now: input.now, failureNotice: input.failureNotice ?? true });
    await recordPaymentEvents(tx, { before, payment: result.payment, paidAt: payment.paidAt, failedAt: payment.failedAt }, { now: input.now, entitlementPolicy: input.entitlementPolicy });
  }
  return result;
}
