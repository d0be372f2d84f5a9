import type { WithdrawalRefundPolicy } from '../../domain/withdrawal.ts';
import type { Queryable } from '../database.ts';

export type WithdrawalRecord = { subscriptionId: string; customerId: string; withdrawnAt: Date; actor: string; refundPolicy: WithdrawalRefundPolicy };

type WithdrawalRow = { subscription_id: string; customer_id: string; withdrawn_at: Date; actor: string; refund_policy: WithdrawalRefundPolicy };

const toRecord = (row: WithdrawalRow): WithdrawalRecord => ({
  subscriptionId: row.subscription_id,
  customerId: row.customer_id,
  withdrawnAt: row.withdrawn_at,
  actor: row.actor,
  refundPolicy: row.refund_policy,
});

/** The withdrawal, recorded once per subscription; null when one was recorded already (the primary key decides). */
export async function insertWithdrawal(tx: Queryable, withdrawal: WithdrawalRecord): Promise<WithdrawalRecord | null> {
  const result = await tx.query<WithdrawalRow>(
    `INSERT INTO withdrawals (subscription_id, customer_id, withdrawn_at, actor, refund_policy) VALUES ($1, $2, $3, $4, $5)
     ON CONFLICT (subscription_id) DO NOTHING RETURNING *`,
    [withdrawal.subscriptionId, withdrawal.customerId, withdrawal.withdrawnAt, withdrawal.actor, withdrawal.refundPolicy],
  );
  return result.rows[0] ? toRecord(result.rows[0]) : null;
}

export async function findWithdrawal(db: Queryable, subscriptionId: string): Promise<WithdrawalRecord | null> {
  const result = await db.query<WithdrawalRow>('SELECT * FROM withdrawals WHERE subscription_id = $1', [subscriptionId]);
  return result.rows[0] ? toRecord(result.rows[0]) : null;
}
