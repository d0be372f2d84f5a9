import type { Queryable } from '../../db/database.ts';
import { recordAudit } from '../../db/repositories/audit-log-repository.ts';
import { upsertPayment, type PaymentUpsertOutcome } from '../../db/repositories/payment-repository.ts';
import type { ProviderId } from '../../domain/provider.ts';
import type { ProviderPayment } from '../../providers/payments/stripe/stripe-gateway.ts';
import type { Actor } from '../service-context.ts';

export type RecordPaymentInput = {
  provider: ProviderId;
  customerId: string;
  /** recur's subscription row, when the payment pays one. */
  subscriptionId: string | null;
  payment: ProviderPayment;
  version: Date;
  now: Date;
  actor: Actor;
};

/** Merges one provider payment into recur's row (never backwards) and audits a change. */
export async function recordProviderPayment(tx: Queryable, input: RecordPaymentInput): Promise<PaymentUpsertOutcome> {
  const { payment } = input;
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
  }
  return result;
}
