import type { BillingInterval } from '../../domain/plan.ts';
import type { ProviderId } from '../../domain/provider.ts';
import type { Queryable } from '../database.ts';
import type { PaymentStatus } from './payment-repository.ts';

export type PrepaidPeriodRecord = {
  id: string;
  customerId: string;
  provider: ProviderId;
  providerPaymentId: string;
  paymentId: string;
  planId: string;
  interval: BillingInterval;
  periods: number;
  startsAt: Date;
  endsAt: Date;
  amountMinor: number;
  currency: string;
  /** The status of the payment that bought it: a refunded period gives no time. */
  paymentStatus: PaymentStatus;
  createdAt: Date;
};

export type NewPrepaidPeriod = Omit<PrepaidPeriodRecord, 'id' | 'paymentStatus' | 'createdAt'>;

type Row = {
  id: string;
  customer_id: string;
  provider: ProviderId;
  provider_payment_id: string;
  payment_id: string;
  plan_id: string;
  interval: BillingInterval;
  periods: number;
  starts_at: Date;
  ends_at: Date;
  amount_minor: string | number;
  currency: string;
  payment_status: PaymentStatus;
  created_at: Date;
};

const toRecord = (row: Row): PrepaidPeriodRecord => ({
  id: row.id,
  customerId: row.customer_id,
  provider: row.provider,
  providerPaymentId: row.provider_payment_id,
  paymentId: row.payment_id,
  planId: row.plan_id,
  interval: row.interval,
  periods: row.periods,
  startsAt: row.starts_at,
  endsAt: row.ends_at,
  amountMinor: Number(row.amount_minor),
  currency: row.currency,
  paymentStatus: row.payment_status,
  createdAt: row.created_at,
});

/** A customer's prepaid periods, oldest first, with the status of the payment that bought each. */
export async function listPrepaidPeriodsOfCustomer(db: Queryable, customerId: string): Promise<PrepaidPeriodRecord[]> {
  const result = await db.query<Row>(
    `SELECT pp.*, p.status AS payment_status FROM prepaid_periods pp JOIN payments p ON p.id = pp.payment_id
     WHERE pp.customer_id = $1 ORDER BY pp.starts_at, pp.id`,
    [customerId],
  );
  return result.rows.map(toRecord);
}

/** The periods that give time: a fully refunded payment bought nothing. */
export const givingTime = (periods: readonly PrepaidPeriodRecord[]): PrepaidPeriodRecord[] => periods.filter((period) => period.paymentStatus !== 'refunded');

/** One row per provider payment: the second recording of the same purchase inserts nothing. */
export async function insertPrepaidPeriod(tx: Queryable, period: NewPrepaidPeriod, now: Date): Promise<{ id: string; inserted: boolean }> {
  const inserted = await tx.query<{ id: string }>(
    `INSERT INTO prepaid_periods (customer_id, provider, provider_payment_id, payment_id, plan_id, interval, periods, starts_at, ends_at, amount_minor, currency, created_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
     ON CONFLICT (provider, provider_payment_id) DO NOTHING RETURNING id`,
    [period.customerId, period.provider, period.providerPaymentId, period.paymentId, period.planId, period.interval, period.periods, period.startsAt, period.endsAt, period.amountMinor, period.currency, now],
  );
  if (inserted.rows[0]) return { id: inserted.rows[0].id, inserted: true };
  const existing = await tx.query<{ id: string }>('SELECT id FROM prepaid_periods WHERE provider = $1 AND provider_payment_id = $2', [period.provider, period.providerPaymentId]);
  return { id: existing.rows[0]!.id, inserted: false };
}
