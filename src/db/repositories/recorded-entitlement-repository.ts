import type { Queryable } from '../database.ts';

/** What `entitlement.changed` last told the shop about a customer (migration 0015). */
export type RecordedEntitlement = { entitled: boolean; reason: string; until: string | null };

/**
 * Locks the customer row for the caller's transaction (its events are numbered under the same
 * lock) and answers what was last recorded: null when nothing was. Undefined: no such customer.
 */
export async function lockRecordedEntitlement(tx: Queryable, customerId: string): Promise<RecordedEntitlement | null | undefined> {
  const result = await tx.query<{ recorded_entitlement: RecordedEntitlement | null }>('SELECT recorded_entitlement FROM customers WHERE id = $1 FOR UPDATE', [customerId]);
  const row = result.rows[0];
  return row ? row.recorded_entitlement : undefined;
}

export async function storeRecordedEntitlement(tx: Queryable, customerId: string, recorded: RecordedEntitlement): Promise<void> {
  await tx.query('UPDATE customers SET recorded_entitlement = $2, recorded_entitlement_until = $3 WHERE id = $1', [customerId, JSON.stringify(recorded), recorded.until]);
}

/**
 * Customers whose recorded entitlement's end has passed by `now`, soonest first: what they may do
 * now may have changed with no write to say so (a trial or a grace that ran out).
 */
export async function findCustomersPastRecordedEntitlement(db: Queryable, input: { now: Date; limit: number; after: { until: Date; id: string } | null }): Promise<{ id: string; until: Date }[]> {
  const result = await db.query<{ id: string; recorded_entitlement_until: Date }>(
    `SELECT id, recorded_entitlement_until FROM customers
      WHERE recorded_entitlement_until <= $1 AND ($3::timestamptz IS NULL OR (recorded_entitlement_until, id) > ($3, $4::uuid))
      ORDER BY recorded_entitlement_until, id LIMIT $2`,
    [input.now, input.limit, input.after?.until ?? null, input.after?.id ?? null],
  );
  return result.rows.map((row) => ({ id: row.id, until: row.recorded_entitlement_until }));
}
