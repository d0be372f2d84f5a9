import type { ProviderId } from '../../domain/provider.ts';
import { parseInt8, type Queryable } from '../database.ts';
import { readKeysetPage, type KeysetList, type Page, type PageRequest } from '../keyset-page.ts';

export const PAYMENT_STATUSES = ['pending', 'processing', 'succeeded', 'failed', 'refunded', 'partially_refunded', 'disputed'] as const;
export type PaymentStatus = (typeof PAYMENT_STATUSES)[number];

export type PaymentState = {
  customerId: string;
  subscriptionId: string | null;
  provider: ProviderId;
  providerPaymentId: string;
  kind: 'one_time' | 'subscription';
  amountMinor: number;
  currency: string;
  amountRefundedMinor: number;
  status: PaymentStatus;
  methodSummary: string | null;
  /** The provider's kind of payment method (card, sepa_debit, ideal, ...); null when it did not say. */
  methodType?: string | null;
  /** A direct debit's mandate reference, as the provider holds it. */
  mandateReference?: string | null;
  invoiceAt: Date | null;
  providerUpdatedAt: Date;
};

export type PaymentRecord = PaymentState & { id: string; methodType: string | null; mandateReference: string | null; createdAt: Date; updatedAt: Date };

type PaymentRow = {
  id: string;
  customer_id: string;
  subscription_id: string | null;
  provider: ProviderId;
  provider_payment_id: string;
  kind: 'one_time' | 'subscription';
  amount_minor: string | number;
  currency: string;
  amount_refunded_minor: string | number;
  status: PaymentStatus;
  method_summary: string | null;
  method_type: string | null;
  mandate_reference: string | null;
  invoice_at: Date | null;
  provider_updated_at: Date;
  created_at: Date;
  updated_at: Date;
};

const int8 = (value: string | number): number => (typeof value === 'number' ? value : parseInt8(value));

const toRecord = (row: PaymentRow): PaymentRecord => ({
  id: row.id,
  customerId: row.customer_id,
  subscriptionId: row.subscription_id,
  provider: row.provider,
  providerPaymentId: row.provider_payment_id,
  kind: row.kind,
  amountMinor: int8(row.amount_minor),
  currency: row.currency,
  amountRefundedMinor: int8(row.amount_refunded_minor),
  status: row.status,
  methodSummary: row.method_summary,
  methodType: row.method_type,
  mandateReference: row.mandate_reference,
  invoiceAt: row.invoice_at,
  providerUpdatedAt: row.provider_updated_at,
  createdAt: row.created_at,
  updatedAt: row.updated_at,
});

// A payment only moves forward through these, so events applied in any order end in the same
// state: a debit the bank is still processing can fail or succeed, a failed attempt can still
// succeed (same PaymentIntent, new card), a success can be refunded, and a dispute outranks
// everything, whatever its outcome (kept in the audit log). A failed debit retried stays failed
// while the retry processes: it was not paid, and the retry's outcome moves it on.
const RANK_SQL = (column: string) =>
  `CASE ${column} WHEN 'pending' THEN 0 WHEN 'processing' THEN 1 WHEN 'failed' THEN 2 WHEN 'succeeded' THEN 3 WHEN 'partially_refunded' THEN 4 WHEN 'refunded' THEN 5 ELSE 6 END`;

export type PaymentUpsertOutcome = { outcome: 'inserted' | 'updated'; payment: PaymentRecord } | { outcome: 'unchanged' };

/**
 * Inserts or merges one provider payment. The merge never moves backwards: the refunded amount
 * only grows, the status only climbs the rank above, a known subscription link is kept. Applying
 * the same or an older state again changes nothing (and reports 'unchanged').
 */
export async function upsertPayment(tx: Queryable, state: PaymentState, now: Date): Promise<PaymentUpsertOutcome> {
  const result = await tx.query<PaymentRow & { inserted: boolean }>(
    `INSERT INTO payments AS p (customer_id, subscription_id, provider, provider_payment_id, kind, amount_minor, currency, amount_refunded_minor,
       status, method_summary, invoice_at, provider_updated_at, created_at, updated_at, method_type, mandate_reference)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $13, $14, $15)
     ON CONFLICT (provider, provider_payment_id) DO UPDATE SET
       subscription_id = COALESCE(p.subscription_id, EXCLUDED.subscription_id),
       kind = CASE WHEN p.subscription_id IS NULL AND EXCLUDED.subscription_id IS NOT NULL THEN 'subscription' ELSE p.kind END,
       amount_refunded_minor = GREATEST(p.amount_refunded_minor, EXCLUDED.amount_refunded_minor),
       status = CASE WHEN ${RANK_SQL('EXCLUDED.status')} > ${RANK_SQL('p.status')} THEN EXCLUDED.status ELSE p.status END,
       method_summary = COALESCE(p.method_summary, EXCLUDED.method_summary),
       method_type = COALESCE(p.method_type, EXCLUDED.method_type),
       mandate_reference = COALESCE(p.mandate_reference, EXCLUDED.mandate_reference),
       invoice_at = COALESCE(p.invoice_at, EXCLUDED.invoice_at),
       provider_updated_at = GREATEST(p.provider_updated_at, EXCLUDED.provider_updated_at),
       updated_at = EXCLUDED.updated_at
     WHERE (p.subscription_id IS NULL AND EXCLUDED.subscription_id IS NOT NULL)
        OR EXCLUDED.amount_refunded_minor > p.amount_refunded_minor
        OR ${RANK_SQL('EXCLUDED.status')} > ${RANK_SQL('p.status')}
        OR (p.method_summary IS NULL AND EXCLUDED.method_summary IS NOT NULL)
        OR (p.method_type IS NULL AND EXCLUDED.method_type IS NOT NULL)
        OR (p.mandate_reference IS NULL AND EXCLUDED.mandate_reference IS NOT NULL)
        OR (p.invoice_at IS NULL AND EXCLUDED.invoice_at IS NOT NULL)
     RETURNING *, (xmax = 0) AS inserted`,
    [
      state.customerId,
      state.subscriptionId,
      state.provider,
      state.providerPaymentId,
      state.kind,
      state.amountMinor,
      state.currency,
      state.amountRefundedMinor,
      state.status,
      state.methodSummary,
      state.invoiceAt,
      state.providerUpdatedAt,
      now,
      state.methodType ?? null,
      state.mandateReference ?? null,
    ],
  );
  const row = result.rows[0];
  if (!row) return { outcome: 'unchanged' };
  return { outcome: row.inserted ? 'inserted' : 'updated', payment: toRecord(row) };
}

/**
 * A refund failed at the provider after it had gone through: the one change that takes a payment's
 * refunded total back down, to the provider's total read after the failure (the status with it; a
 * dispute stays). Called once per failed refund, when its row turns failed. Null when the stored
 * total is not above it.
 */
export async function lowerRefundedAmount(
  tx: Queryable,
  key: { provider: ProviderId; providerPaymentId: string },
  state: { amountRefundedMinor: number; status: PaymentStatus },
  now: Date,
): Promise<PaymentRecord | null> {
  const result = await tx.query<PaymentRow>(
    `UPDATE payments SET amount_refunded_minor = $3, status = CASE WHEN status = 'disputed' THEN status ELSE $4 END, updated_at = $5
     WHERE provider = $1 AND provider_payment_id = $2 AND amount_refunded_minor > $3 RETURNING *`,
    [key.provider, key.providerPaymentId, state.amountRefundedMinor, state.status, now],
  );
  return result.rows[0] ? toRecord(result.rows[0]) : null;
}

export async function findPaymentByProviderId(db: Queryable, provider: ProviderId, providerPaymentId: string): Promise<PaymentRecord | null> {
  const result = await db.query<PaymentRow>('SELECT * FROM payments WHERE provider = $1 AND provider_payment_id = $2', [provider, providerPaymentId]);
  return result.rows[0] ? toRecord(result.rows[0]) : null;
}

/** One payment of one customer: another customer's payment reads as none (the portal's tenancy). */
export async function findPaymentOfCustomer(db: Queryable, paymentId: string, customerId: string): Promise<PaymentRecord | null> {
  const result = await db.query<PaymentRow>('SELECT * FROM payments WHERE id = $1 AND customer_id = $2', [paymentId, customerId]);
  return result.rows[0] ? toRecord(result.rows[0]) : null;
}

export async function listPaymentsOfSubscription(db: Queryable, subscriptionId: string): Promise<PaymentRecord[]> {
  const result = await db.query<PaymentRow>('SELECT * FROM payments WHERE subscription_id = $1 ORDER BY invoice_at, id', [subscriptionId]);
  return result.rows.map(toRecord);
}

/** A payment with the shop's id of its customer, as the API lists it. */
export type ListedPayment = PaymentRecord & { customerExternalId: string };

export type PaymentFilter = PageRequest & { customerId?: string | undefined; subscriptionId?: string | undefined; status?: PaymentStatus | undefined };

const PAYMENT_LIST: KeysetList = {
  select: 'SELECT p.*, c.external_id AS customer_external_id FROM payments p JOIN customers c ON c.id = p.customer_id',
  order: ['p.created_at', 'p.id'],
  cursorRow: 'SELECT created_at, id FROM payments WHERE id = $1',
  created: 'p.created_at',
  what: 'payment',
};

/** Newest first (the time recur recorded them), keyset-paginated on (created_at, id). */
export function listPayments(db: Queryable, filter: PaymentFilter): Promise<Page<ListedPayment>> {
  const filters = [['p.customer_id = ?', filter.customerId], ['p.subscription_id = ?', filter.subscriptionId], ['p.status = ?', filter.status]] as const;
  return readKeysetPage(db, PAYMENT_LIST, filters, filter, (row: PaymentRow & { customer_external_id: string }) => ({ ...toRecord(row), customerExternalId: row.customer_external_id }));
}

/** Whether a payment of the subscription went through (refunded or disputed since, even) for a period that began before `periodStart`. */
export async function hasPaymentBefore(db: Queryable, subscriptionId: string, periodStart: Date): Promise<boolean> {
  const result = await db.query(`SELECT 1 FROM payments WHERE subscription_id = $1 AND status NOT IN ('pending', 'processing', 'failed') AND invoice_at < $2 LIMIT 1`, [subscriptionId, periodStart]);
  return result.rows.length > 0;
}

/** One payment with its customer's shop id; `forUpdate` locks the row (a refund decides what is left of it). */
export async function findListedPayment(db: Queryable, id: string, options: { forUpdate?: boolean } = {}): Promise<ListedPayment | null> {
  const result = await db.query<PaymentRow & { customer_external_id: string }>(
    `SELECT p.*, c.external_id AS customer_external_id FROM payments p JOIN customers c ON c.id = p.customer_id WHERE p.id = $1${options.forUpdate ? ' FOR UPDATE OF p' : ''}`,
    [id],
  );
  const row = result.rows[0];
  return row ? { ...toRecord(row), customerExternalId: row.customer_external_id } : null;
}
