import type { ProviderId } from '../../domain/provider.ts';
import { parseInt8, type Queryable } from '../database.ts';

export type RefundStatus = 'pending' | 'succeeded' | 'failed';

export type RefundRecord = {
  id: string;
  paymentId: string;
  requestKey: string;
  provider: ProviderId;
  amountMinor: number;
  currency: string;
  reason: string;
  actor: string;
  status: RefundStatus;
  providerRefundId: string | null;
  failure: string | null;
  createdAt: Date;
  updatedAt: Date;
};

type RefundRow = {
  id: string;
  payment_id: string;
  request_key: string;
  provider: ProviderId;
  amount_minor: string | number;
  currency: string;
  reason: string;
  actor: string;
  status: RefundStatus;
  provider_refund_id: string | null;
  failure: string | null;
  created_at: Date;
  updated_at: Date;
};

const int8 = (value: string | number): number => (typeof value === 'number' ? value : parseInt8(value));

const toRecord = (row: RefundRow): RefundRecord => ({
  id: row.id,
  paymentId: row.payment_id,
  requestKey: row.request_key,
  provider: row.provider,
  amountMinor: int8(row.amount_minor),
  currency: row.currency,
  reason: row.reason,
  actor: row.actor,
  status: row.status,
  providerRefundId: row.provider_refund_id,
  failure: row.failure,
  createdAt: row.created_at,
  updatedAt: row.updated_at,
});

export type NewRefund = Pick<RefundRecord, 'paymentId' | 'requestKey' | 'provider' | 'amountMinor' | 'currency' | 'reason' | 'actor'>;

/** The new pending row; null when a refund with this request key exists already (the unique index decides, not a read before). */
export async function insertPendingRefund(tx: Queryable, refund: NewRefund, now: Date): Promise<RefundRecord | null> {
  const result = await tx.query<RefundRow>(
    `INSERT INTO refunds (payment_id, request_key, provider, amount_minor, currency, reason, actor, status, created_at, updated_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, 'pending', $8, $8)
     ON CONFLICT (request_key) DO NOTHING RETURNING *`,
    [refund.paymentId, refund.requestKey, refund.provider, refund.amountMinor, refund.currency, refund.reason, refund.actor, now],
  );
  return result.rows[0] ? toRecord(result.rows[0]) : null;
}

export async function findRefundByRequestKey(db: Queryable, requestKey: string): Promise<RefundRecord | null> {
  const result = await db.query<RefundRow>('SELECT * FROM refunds WHERE request_key = $1', [requestKey]);
  return result.rows[0] ? toRecord(result.rows[0]) : null;
}

/** What the refunds still waiting for the provider's answer hold back of the payment. */
export async function sumPendingRefunds(tx: Queryable, paymentId: string): Promise<number> {
  const result = await tx.query<{ total: string | number | null }>("SELECT sum(amount_minor) AS total FROM refunds WHERE payment_id = $1 AND status = 'pending'", [paymentId]);
  return int8(result.rows[0]?.total ?? 0);
}

/** The provider's answer on the row; a settled row is not changed again (a late replay of the same answer). */
export async function settleRefund(
  tx: Queryable,
  id: string,
  answer: { status: RefundStatus; providerRefundId: string | null; failure: string | null },
  now: Date,
): Promise<RefundRecord | null> {
  const result = await tx.query<RefundRow>(
    `UPDATE refunds SET status = $2, provider_refund_id = COALESCE($3, provider_refund_id), failure = $4, updated_at = $5
     WHERE id = $1 AND status = 'pending' RETURNING *`,
    [id, answer.status, answer.providerRefundId, answer.failure, now],
  );
  return result.rows[0] ? toRecord(result.rows[0]) : null;
}

export async function findRefundOfProvider(db: Queryable, provider: ProviderId, providerRefundId: string): Promise<RefundRecord | null> {
  const result = await db.query<RefundRow>('SELECT * FROM refunds WHERE provider = $1 AND provider_refund_id = $2', [provider, providerRefundId]);
  return result.rows[0] ? toRecord(result.rows[0]) : null;
}

/** A refund recur did not ask for, as the provider holds it (made in its dashboard). */
export type ProviderMadeRefund = Pick<RefundRecord, 'paymentId' | 'provider' | 'amountMinor' | 'currency' | 'reason' | 'status' | 'failure' | 'createdAt'> & { providerRefundId: string };

/** The business key of a refund made at the provider: its id there, so a second event for it finds the same row. */
export const providerRefundKey = (provider: ProviderId, providerRefundId: string): string => `provider:${provider}:${providerRefundId}`;

/** Its row, with the actor `provider`; null when it has one already (the unique indexes decide). */
export async function insertProviderMadeRefund(tx: Queryable, refund: ProviderMadeRefund, now: Date): Promise<RefundRecord | null> {
  const result = await tx.query<RefundRow>(
    `INSERT INTO refunds (payment_id, request_key, provider, amount_minor, currency, reason, actor, status, provider_refund_id, failure, created_at, updated_at)
     VALUES ($1, $2, $3, $4, $5, $6, 'provider', $7, $8, $9, $10, $11)
     ON CONFLICT DO NOTHING RETURNING *`,
    [refund.paymentId, providerRefundKey(refund.provider, refund.providerRefundId), refund.provider, refund.amountMinor, refund.currency, refund.reason, refund.status, refund.providerRefundId, refund.failure, refund.createdAt, now],
  );
  return result.rows[0] ? toRecord(result.rows[0]) : null;
}

/**
 * A refund's later state at the provider on its row. It only moves on: pending to succeeded or
 * failed, succeeded to failed (a card refund the bank sent back); failed is final. So events in
 * any order, or twice, end in the provider's last word. Null when nothing changed.
 */
export async function followProviderRefund(
  tx: Queryable,
  id: string,
  state: { status: RefundStatus; providerRefundId: string; failure: string | null },
  now: Date,
): Promise<RefundRecord | null> {
  const movesOn = `((status = 'pending' AND $2 <> 'pending') OR (status = 'succeeded' AND $2 = 'failed'))`;
  // A row recur wrote before the provider answered learns the provider's id even while still pending.
  const result = await tx.query<RefundRow>(
    `UPDATE refunds SET status = CASE WHEN ${movesOn} THEN $2 ELSE status END, failure = CASE WHEN ${movesOn} THEN $4 ELSE failure END,
       provider_refund_id = COALESCE(provider_refund_id, $3), updated_at = $5
     WHERE id = $1 AND (${movesOn} OR provider_refund_id IS NULL) RETURNING *`,
    [id, state.status, state.providerRefundId, state.failure, now],
  );
  return result.rows[0] ? toRecord(result.rows[0]) : null;
}

export async function findRefund(db: Queryable, id: string): Promise<RefundRecord | null> {
  const result = await db.query<RefundRow>('SELECT * FROM refunds WHERE id = $1', [id]);
  return result.rows[0] ? toRecord(result.rows[0]) : null;
}

/** The refunds of the payments (asked for by recur or made at the provider), per payment, oldest first. */
export async function listRefundsOfPayments(db: Queryable, paymentIds: readonly string[]): Promise<Map<string, RefundRecord[]>> {
  const byPayment = new Map<string, RefundRecord[]>();
  if (paymentIds.length === 0) return byPayment;
  const result = await db.query<RefundRow>('SELECT * FROM refunds WHERE payment_id = ANY($1::uuid[]) ORDER BY seq', [[...paymentIds]]);
  for (const row of result.rows.map(toRecord)) byPayment.set(row.paymentId, [...(byPayment.get(row.paymentId) ?? []), row]);
  return byPayment;
}

/** Refunds still waiting for the provider's word that were asked for before `before`, oldest first. */
export async function listPendingRefunds(db: Queryable, before: Date, limit: number): Promise<RefundRecord[]> {
  const result = await db.query<RefundRow>("SELECT * FROM refunds WHERE status = 'pending' AND created_at < $1 ORDER BY seq LIMIT $2", [before, limit]);
  return result.rows.map(toRecord);
}

/**
 * What a refunded total's notice and event are keyed by: the total, and how many of the payment's
 * refunds failed. A refund that failed after it went through takes the total back down, and a
 * later one that brings it back to the same figure is another refund, told again.
 */
export async function refundedTotalKey(tx: Queryable, paymentId: string, amountRefundedMinor: number): Promise<string> {
  const result = await tx.query<{ failed: string | number }>("SELECT count(*) AS failed FROM refunds WHERE payment_id = $1 AND status = 'failed'", [paymentId]);
  const failed = Number(result.rows[0]?.failed ?? 0);
  return failed === 0 ? `${paymentId}:${amountRefundedMinor}` : `${paymentId}:${amountRefundedMinor}:after-${failed}-failed`;
}
