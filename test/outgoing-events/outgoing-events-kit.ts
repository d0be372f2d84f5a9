import { expect } from 'vitest';
import type { Queryable } from '../../src/db/database.ts';

export type StoredEvent = { id: string; type: string; sequence: number; businessKey: string; data: Record<string, unknown>; occurredAt: string };

/** A customer's outgoing events in their sequence, as the fan-out will read them. */
export async function eventsOf(db: Queryable, externalId: string): Promise<StoredEvent[]> {
  const result = await db.query<{ id: string; type: string; sequence: string | number; business_key: string; data: Record<string, unknown>; occurred_at: Date }>(
    `SELECT e.id, e.type, e.sequence, e.business_key, e.data, e.occurred_at FROM outgoing_events e JOIN customers c ON c.id = e.customer_id
      WHERE c.external_id = $1 ORDER BY e.sequence`,
    [externalId],
  );
  return result.rows.map((row) => ({ id: row.id, type: row.type, sequence: Number(row.sequence), businessKey: row.business_key, data: row.data, occurredAt: row.occurred_at.toISOString() }));
}

export const typesOf = (events: readonly StoredEvent[]): string[] => events.map((event) => event.type);

/** The events after the first `seen`, for a step of a scenario. */
export const since = (events: readonly StoredEvent[], seen: number): StoredEvent[] => events.slice(seen);

export function expectIncreasingSequences(events: readonly StoredEvent[]): void {
  const sequences = events.map((event) => event.sequence);
  expect(sequences).toEqual([...sequences].sort((a, b) => a - b));
  expect(new Set(sequences).size).toBe(sequences.length);
}

export const lastOfType = (events: readonly StoredEvent[], type: string): StoredEvent | undefined => events.filter((event) => event.type === type).at(-1);

type Api = (method: string, path: string, body?: unknown) => Promise<Response>;

/** The newest event of each object kind carries what the API answers for that object now (the entitlement's check time and the subscription's updated_at aside). */
export async function expectDataAsTheApiAnswers(api: Api, events: readonly StoredEvent[], externalId: string): Promise<void> {
  const customer = events.filter((event) => event.type.startsWith('customer.')).at(-1);
  if (customer) expect(customer.data).toEqual(await (await api('GET', `/v1/customers/${externalId}`)).json());
  const subscription = events.filter((event) => event.type.startsWith('subscription.')).at(-1);
  // A later write that changed nothing a shop is told about (the provider's version of the same state) moves updated_at only.
  if (subscription) expect(subscription.data).toEqual({ ...((await (await api('GET', `/v1/subscriptions/${String(subscription.data['id'])}`)).json()) as object), updated_at: expect.any(String) });
  const entitlement = lastOfType(events, 'entitlement.changed');
  if (entitlement) {
    const { checked_at: _checked, ...answer } = (await (await api('GET', `/v1/customers/${externalId}/entitlement`)).json()) as Record<string, unknown>;
    const { checked_at: _recorded, ...data } = entitlement.data;
    expect(data).toEqual(answer);
  }
}
