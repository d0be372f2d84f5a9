import { afterEach, describe, expect, it } from 'vitest';
import { recordOutgoingEvent } from '../../src/db/repositories/outgoing-event-repository.ts';
import { openTestDatabase, testDatabaseKinds, type TestDatabase } from '../support/test-database.ts';

const NOW = new Date('2026-12-04T10:00:00Z');

describe.each(testDatabaseKinds)('outgoing events on %s', (kind) => {
  let database: TestDatabase | null = null;
  afterEach(async () => {
    await database?.dispose();
    database = null;
  });

  async function customer(externalId: string): Promise<string> {
    const result = await database!.db.query<{ id: string }>("INSERT INTO customers (external_id, email, locale, created_at, updated_at) VALUES ($1, $2, 'nl', $3, $3) RETURNING id", [externalId, `${externalId}@example.nl`, NOW]);
    return result.rows[0]!.id;
  }

  it('numbers each customer’s events 1, 2, 3 and records a decision once', async () => {
    database = await openTestDatabase(kind);
    const anna = await customer('anna');
    const bob = await customer('bob');
    const record = (customerId: string, businessKey: string) =>
      database!.db.transaction((tx) => recordOutgoingEvent(tx, { type: 'customer.updated', customerId, businessKey, data: { id: customerId }, occurredAt: NOW, now: NOW }));

    const first = await record(anna, 'customer.updated:anna:1');
    expect(first).toMatchObject({ sequence: 1 });
    expect(first!.id).toMatch(/^evt_[0-9a-f]{32}$/);
    expect(await record(anna, 'customer.updated:anna:2')).toMatchObject({ sequence: 2 });
    expect(await record(bob, 'customer.updated:bob:1')).toMatchObject({ sequence: 1 });
    // The same decision again: nothing recorded, no number spent.
    expect(await record(anna, 'customer.updated:anna:2')).toBeNull();
    expect(await record(anna, 'customer.updated:anna:3')).toMatchObject({ sequence: 3 });

    const rows = await database.db.query<{ business_key: string; sequence: string }>('SELECT business_key, sequence FROM outgoing_events ORDER BY business_key');
    expect(rows.rows.map((row) => [row.business_key, Number(row.sequence)])).toEqual([
      ['customer.updated:anna:1', 1],
      ['customer.updated:anna:2', 2],
      ['customer.updated:anna:3', 3],
      ['customer.updated:bob:1', 1],
    ]);
  });

  it('records nothing when the transaction of its change rolls back', async () => {
    database = await openTestDatabase(kind);
    const anna = await customer('anna');
    await expect(
      database.db.transaction(async (tx) => {
        await recordOutgoingEvent(tx, { type: 'customer.updated', customerId: anna, businessKey: 'k', data: {}, occurredAt: NOW, now: NOW });
        throw new Error('the change failed');
      }),
    ).rejects.toThrow('the change failed');
    expect((await database.db.query('SELECT 1 FROM outgoing_events')).rows).toHaveLength(0);
    expect(Number((await database.db.query<{ event_sequence: string }>("SELECT event_sequence FROM customers")).rows[0]!.event_sequence)).toBe(0);
  });
});
