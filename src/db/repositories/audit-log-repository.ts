import type { Queryable } from '../database.ts';

export type AuditEntry = {
  at: Date;
  actor: string;
  entity: string;
  entityId: string;
  action: string;
  before: unknown;
  after: unknown;
  reason?: string | null;
};

/** Written in the same transaction as the change it describes, so the log never lies. */
export async function recordAudit(tx: Queryable, entry: AuditEntry): Promise<void> {
  await tx.query('INSERT INTO audit_log (at, actor, entity, entity_id, action, before, after, reason) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)', [
    entry.at,
    entry.actor,
    entry.entity,
    entry.entityId,
    entry.action,
    entry.before === undefined ? null : JSON.stringify(entry.before),
    entry.after === undefined ? null : JSON.stringify(entry.after),
    entry.reason ?? null,
  ]);
}

export type AuditRow = { actor: string; entity: string; entity_id: string; action: string; before: unknown; after: unknown; reason: string | null; at: Date };

export async function listAuditEntries(db: Queryable, entity: string, entityId: string): Promise<AuditRow[]> {
  const result = await db.query<AuditRow>(
    'SELECT actor, entity, entity_id, action, before, after, reason, at FROM audit_log WHERE entity = $1 AND entity_id = $2 ORDER BY id',
    [entity, entityId],
  );
  return result.rows;
}

export type AuditTrailItem = AuditRow & { id: number };

/** What the audit log holds about a customer, their subscriptions and payments, newest first. */
export async function listAuditTrailOfCustomer(
  db: Queryable,
  subjects: { customerId: string; subscriptionIds: readonly string[]; paymentIds: readonly string[] },
  limit: number,
): Promise<AuditTrailItem[]> {
  const result = await db.query<AuditRow & { id: string | number }>(
    `SELECT id, actor, entity, entity_id, action, before, after, reason, at FROM audit_log
      WHERE (entity = 'customer' AND entity_id = $1) OR (entity = 'subscription' AND entity_id = ANY($2::text[])) OR (entity = 'payment' AND entity_id = ANY($3::text[]))
      ORDER BY at DESC, id DESC LIMIT $4`,
    [subjects.customerId, [...subjects.subscriptionIds], [...subjects.paymentIds], limit],
  );
  return result.rows.map((row) => ({ ...row, id: Number(row.id) }));
}
