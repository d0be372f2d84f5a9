import type { Database, Queryable } from '../../db/database.ts';
import { recordAudit } from '../../db/repositories/audit-log-repository.ts';
import { isRiskActionDone, recordRiskAction } from '../../db/repositories/risk-action-repository.ts';
import { lockCustomerForWrite } from '../../db/repositories/customer-repository.ts';

export type RiskStep<Result> = {
  /** Unique per step and incident: a step recorded under this key is never done again. */
  key: string;
  customerId: string;
  actor: string;
  /** What the audit entry is about. */
  entity: string;
  entityId: string;
  action: string;
  /** The provider call, outside any transaction, with an idempotency key derived from `key`. */
  perform?: () => Promise<Result>;
  /** What the step did, kept on the risk action and in the audit entry. */
  describe: (result: Result | undefined) => Record<string, unknown>;
  /** Recur's own writes of the step, in the transaction that records it. */
  write?: (tx: Queryable, result: Result | undefined) => Promise<void>;
  reason?: string;
};

/**
 * One step of a policy, done once. A step already recorded is skipped; otherwise the provider is
 * called first (so a crash between call and record repeats the call, which its idempotency key
 * makes harmless), then the step, recur's writes and one audit entry commit together. Answers
 * whether this call did the step.
 */
export async function runRiskStep<Result>(db: Database, now: Date, step: RiskStep<Result>): Promise<boolean> {
  if (await isRiskActionDone(db, step.key)) return false;
  const result = step.perform ? await step.perform() : undefined;
  const detail = step.describe(result);
  return db.transaction(async (tx) => {
    await lockCustomerForWrite(tx, step.customerId);
    const recorded = await recordRiskAction(tx, { stepKey: step.key, customerId: step.customerId, action: step.action, detail, doneAt: now });
    // Another worker recorded it between the check and now: its writes stand, ours are not needed.
    if (!recorded) return false;
    await step.write?.(tx, result);
    await recordAudit(tx, { at: now, actor: step.actor, entity: step.entity, entityId: step.entityId, action: step.action, before: null, after: detail, reason: step.reason ?? null });
    return true;
  });
}
