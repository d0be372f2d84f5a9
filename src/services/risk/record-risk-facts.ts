import type { Queryable } from '../../db/database.ts';
import { recordAudit } from '../../db/repositories/audit-log-repository.ts';
import { upsertDispute } from '../../db/repositories/dispute-repository.ts';
import { findPaymentByProviderId } from '../../db/repositories/payment-repository.ts';
import type { ProviderId } from '../../domain/provider.ts';
import { recordDisputeEvent } from '../../outgoing-events/record-dispute-event.ts';
import type { ProviderDispute } from '../../providers/payments/risk-operations.ts';
import type { JobQueue } from '../service-context.ts';
import { APPLY_DISPUTE_POLICY, DECLINED_FAILURE_CODE, REVIEW_DECLINED_CHARGES } from './risk-jobs.ts';

export type RiskFacts = {
  customerId: string;
  failedCharge: { id: string; failureCode: string | null } | null;
  dispute: ProviderDispute | null;
};

export type RiskFactContext = { provider: ProviderId; now: Date; actor: string; jobs: JobQueue | undefined };

/**
 * The webhook transaction's part of the fraud and dispute policies: it records the fact and queues
 * the job that acts on it, in the same transaction (no job without the fact, no fact without the
 * job). Provider calls happen in the job, never here. Answers what it did, for the inbox summary.
 */
export async function recordRiskFacts(tx: Queryable, facts: RiskFacts, ctx: RiskFactContext): Promise<string[]> {
  const done: string[] = [];
  if (facts.failedCharge?.failureCode === DECLINED_FAILURE_CODE && ctx.jobs) {
    // Stately per customer: five declines in a burst queue one review behind the running one.
    await ctx.jobs.enqueue(REVIEW_DECLINED_CHARGES, { customerId: facts.customerId }, { tx, singletonKey: facts.customerId });
    done.push('fraud review queued');
  }
  if (facts.dispute) done.push(...(await recordDispute(tx, facts.customerId, facts.dispute, ctx)));
  return done;
}

async function recordDispute(tx: Queryable, customerId: string, dispute: ProviderDispute, ctx: RiskFactContext): Promise<string[]> {
  const payment = dispute.paymentIntentId
    ? await tx.query<{ id: string }>('SELECT id FROM payments WHERE provider = $1 AND provider_payment_id = $2', [ctx.provider, dispute.paymentIntentId])
    : null;
  const upserted = await upsertDispute(
    tx,
    {
      provider: ctx.provider,
      providerDisputeId: dispute.id,
      customerId,
      paymentId: payment?.rows[0]?.id ?? null,
      providerChargeId: dispute.chargeId,
      amountMinor: dispute.amountMinor,
      currency: dispute.currency,
      reason: dispute.reason,
      status: dispute.status,
      evidenceDueBy: dispute.evidenceDueBy,
      openedAt: dispute.created,
      closedWith: dispute.outcome ?? null,
    },
    ctx.now,
  );
  const row = upserted.dispute;
  const done: string[] = [];
  if (upserted.outcome === 'inserted') {
    await recordAudit(tx, { at: ctx.now, actor: ctx.actor, entity: 'dispute', entityId: row.id, action: 'open', before: null, after: row });
    if (ctx.jobs) await ctx.jobs.enqueue(APPLY_DISPUTE_POLICY, { disputeId: row.id }, { tx, singletonKey: row.id });
    const disputed = dispute.paymentIntentId ? await findPaymentByProviderId(tx, ctx.provider, dispute.paymentIntentId) : null;
    await recordDisputeEvent(tx, { dispute: row, payment: disputed, now: ctx.now });
    done.push('dispute recorded, policy queued');
  }
  if (row.outcome && (upserted.outcome === 'closed' || upserted.outcome === 'inserted')) {
    await recordAudit(tx, { at: ctx.now, actor: ctx.actor, entity: 'dispute', entityId: row.id, action: 'close', before: null, after: { outcome: row.outcome, status: row.status } });
    done.push(`dispute ${row.outcome}`);
  }
  return done;
}
