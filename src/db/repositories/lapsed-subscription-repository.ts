import type { Queryable } from '../database.ts';

/** Past-due subscriptions in one of `providerStatuses` whose incident began at or before `since`. */
export async function findLapsedSubscriptionIds(db: Queryable, input: { providerStatuses: readonly string[]; pastDueAtOrBefore: Date }): Promise<string[]> {
  const result = await db.query<{ id: string }>(
    "SELECT id FROM subscriptions WHERE status = 'past_due' AND provider_status = ANY($1::text[]) AND past_due_since <= $2 ORDER BY past_due_since, id",
    [input.providerStatuses, input.pastDueAtOrBefore],
  );
  return result.rows.map((row) => row.id);
}
