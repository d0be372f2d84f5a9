import type { ProviderId } from '../../domain/provider.ts';
import { parseInt8, type Queryable } from '../database.ts';

export type DisputeFacts = {
  provider: ProviderId;
  providerDisputeId: string;
  customerId: string;
  paymentId: string | null;
  providerChargeId: string | null;
  amountMinor: number;
  currency: string;
  reason: string | null;
  status: string;
  evidenceDueBy: Date | null;
  openedAt: Date;
  /** The provider's outcome where its closing status does not say it (PayPal's RESOLVED_BUYER_FAVOUR, ...). */
  closedWith?: string | null;
};

export type DisputeRecord = DisputeFacts & {
  id: string;
  policy: 'accept' | 'hold' | null;
  outcome: string | null;
  closedAt: Date | null;
};

type DisputeRow = {
  id: string;
  provider: ProviderId;
  provider_dispute_id: string;
  customer_id: string;
  payment_id: string | null;
  provider_charge_id: string | null;
  amount_minor: string | number;
  currency: string;
  reason: string | null;
  status: string;
  policy: 'accept' | 'hold' | null;
  evidence_due_by: Date | null;
  outcome: string | null;
  opened_at: Date;
  closed_at: Date | null;
};

const toRecord = (row: DisputeRow): DisputeRecord => ({
  id: row.id,
  provider: row.provider,
  providerDisputeId: row.provider_dispute_id,
  customerId: row.customer_id,
  paymentId: row.payment_id,
  providerChargeId: row.provider_charge_id,
  amountMinor: typeof row.amount_minor === 'number' ? row.amount_minor : parseInt8(row.amount_minor),
  currency: row.currency,
  reason: row.reason,
  status: row.status,
  policy: row.policy,
  evidenceDueBy: row.evidence_due_by,
  outcome: row.outcome,
  openedAt: row.opened_at,
  closedAt: row.closed_at,
});

/** Provider statuses that end a dispute (Stripe's; PayPal's RESOLVED); the outcome is written once, at the first of them. */
export const CLOSED_DISPUTE_STATUSES: readonly string[] = ['won', 'lost', 'warning_closed', 'RESOLVED'];

export type DisputeUpsert = { outcome: 'inserted' | 'closed' | 'updated' | 'unchanged'; dispute: DisputeRecord };

/**
 * Inserts the dispute, or moves its status on. A closed dispute keeps its outcome and status: a
 * late, older event (needs_response after lost) changes nothing.
 */
export async function upsertDispute(tx: Queryable, facts: DisputeFacts, now: Date): Promise<DisputeUpsert> {
  const closed = CLOSED_DISPUTE_STATUSES.includes(facts.status) || Boolean(facts.closedWith);
  const outcome = closed ? (facts.closedWith ?? facts.status) : null;
  const existing = await tx.query<DisputeRow>('SELECT * FROM disputes WHERE provider = $1 AND provider_dispute_id = $2 FOR UPDATE', [facts.provider, facts.providerDisputeId]);
  const before = existing.rows[0];
  if (!before) {
    const inserted = await tx.query<DisputeRow>(
      `INSERT INTO disputes (provider, provider_dispute_id, customer_id, payment_id, provider_charge_id, amount_minor, currency, reason, status,
         evidence_due_by, outcome, opened_at, closed_at, created_at, updated_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $14)
       ON CONFLICT (provider, provider_dispute_id) DO NOTHING RETURNING *`,
      [facts.provider, facts.providerDisputeId, facts.customerId, facts.paymentId, facts.providerChargeId, facts.amountMinor, facts.currency, facts.reason, facts.status,
        facts.evidenceDueBy, outcome, facts.openedAt, closed ? now : null, now],
    );
    // A concurrent insert won the race: the row is there, treat this as a repeat.
    if (!inserted.rows[0]) return upsertDispute(tx, facts, now);
    return { outcome: 'inserted', dispute: toRecord(inserted.rows[0]) };
  }
  if (before.outcome !== null || before.status === facts.status) {
    const linked = before.payment_id === null && facts.paymentId !== null;
    if (!linked) return { outcome: 'unchanged', dispute: toRecord(before) };
  }
  const updated = await tx.query<DisputeRow>(
    `UPDATE disputes SET status = CASE WHEN outcome IS NULL THEN $2 ELSE status END,
       outcome = COALESCE(outcome, $3), closed_at = COALESCE(closed_at, $4),
       payment_id = COALESCE(payment_id, $5), evidence_due_by = COALESCE($6, evidence_due_by), updated_at = $7
     WHERE id = $1 RETURNING *`,
    [before.id, facts.status, outcome, closed ? now : null, facts.paymentId, facts.evidenceDueBy, now],
  );
  const after = toRecord(updated.rows[0]!);
  return { outcome: before.outcome === null && after.outcome !== null ? 'closed' : 'updated', dispute: after };
}

export async function findDispute(db: Queryable, id: string): Promise<DisputeRecord | null> {
  const result = await db.query<DisputeRow>('SELECT * FROM disputes WHERE id = $1', [id]);
  return result.rows[0] ? toRecord(result.rows[0]) : null;
}

export async function setDisputePolicy(tx: Queryable, id: string, policy: 'accept' | 'hold', now: Date): Promise<void> {
  await tx.query('UPDATE disputes SET policy = $2, updated_at = $3 WHERE id = $1', [id, policy, now]);
}
