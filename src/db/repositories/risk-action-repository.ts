import type { Queryable } from '../database.ts';

export type RiskAction = { stepKey: string; customerId: string; action: string; detail: Record<string, unknown>; doneAt: Date };

/**
 * Records that one step of a fraud or dispute policy is done. The unique step key makes the
 * second attempt insert nothing; answers whether this call was the one that recorded it.
 */
export async function recordRiskAction(tx: Queryable, action: RiskAction): Promise<boolean> {
  const result = await tx.query(
    `INSERT INTO risk_actions (step_key, customer_id, action, detail, done_at) VALUES ($1, $2, $3, $4, $5)
     ON CONFLICT (step_key) DO NOTHING RETURNING id`,
    [action.stepKey, action.customerId, action.action, JSON.stringify(action.detail), action.doneAt],
  );
  return result.rows.length > 0;
}

export async function isRiskActionDone(db: Queryable, stepKey: string): Promise<boolean> {
  const result = await db.query('SELECT 1 FROM risk_actions WHERE step_key = $1', [stepKey]);
  return result.rows.length > 0;
}
