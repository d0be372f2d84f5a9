import type { Database } from '../../src/db/database.ts';
import { recordOutgoingEvent } from '../../src/db/repositories/outgoing-event-repository.ts';
import { OUTGOING_EVENT_TYPES } from '../../src/domain/outgoing-event-type.ts';
import { subscriptionExample } from '../../src/http/api-examples.ts';

/** Transactions recording events side by side (PGlite runs them one at a time anyway). */
const WRITERS = 8;

/** The type of the `index`th event: the types in turn, so each endpoint of a split gets its share. */
export const benchEventType = (index: number) => OUTGOING_EVENT_TYPES[index % OUTGOING_EVENT_TYPES.length]!;

/**
 * `count` events for `customers` customers, recorded as recur records them: through
 * recordOutgoingEvent, a customer's events in one transaction (as a change that records several
 * does), with the subscription as the API shows it as data. Customers are written in one statement.
 */
export async function recordBenchEvents(db: Database, input: { count: number; customers: number; now: Date }): Promise<void> {
  const customers = Math.min(input.customers, input.count);
  const ids = (
    await db.query<{ id: string }>(
      `INSERT INTO customers (external_id, email, locale, created_at, updated_at)
       SELECT 'shop-' || n, 'customer' || n || '@example.nl', 'nl', $1, $1 FROM generate_series(1, $2::int) AS n RETURNING id`,
      [input.now, customers],
    )
  ).rows.map((row) => row.id);
  let next = 0;
  const writer = async () => {
    for (let customer = next++; customer < customers; customer = next++) {
      await db.transaction(async (tx) => {
        // Customer c records events c, c + customers, c + 2 * customers, ...
        for (let index = customer; index < input.count; index += customers) {
          const type = benchEventType(index);
          const data = { ...subscriptionExample, id: `bench-${customer}`, customer: `shop-${customer + 1}` };
          const recorded = await recordOutgoingEvent(tx, { type, customerId: ids[customer]!, businessKey: `bench:${index}`, data, occurredAt: input.now, now: input.now });
          if (!recorded) throw new Error(`event ${index} was not recorded`);
        }
      });
    }
  };
  await Promise.all(Array.from({ length: WRITERS }, writer));
}

/** What `endpoints` endpoints subscribe to: one takes `*`; several split the types between them, so each event goes to exactly one. */
export function endpointEventTypes(endpoints: number): string[][] {
  if (endpoints === 1) return [['*']];
  return Array.from({ length: endpoints }, (_, endpoint) => OUTGOING_EVENT_TYPES.filter((_type, index) => index % endpoints === endpoint));
}

/** The endpoint of a split (endpointEventTypes) that takes `type`. */
export const endpointOfType = (type: string, endpoints: number): number => (OUTGOING_EVENT_TYPES as readonly string[]).indexOf(type) % endpoints;
