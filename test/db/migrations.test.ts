import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { currentSchemaVersion, latestMigrationVersion, listMigrations, migrate } from '../../src/db/migrate.ts';
import { openPGlite } from '../../src/db/pglite-database.ts';
import { openTestDatabase, testDatabaseKinds, type TestDatabase } from '../support/test-database.ts';

describe('migrations', () => {
  it('are numbered without gaps from 0001', () => {
    const versions = listMigrations().map((migration) => migration.version);
    expect(versions).toEqual(versions.map((_, index) => index + 1));
    expect(latestMigrationVersion()).toBe(versions.at(-1));
  });

  it('apply to an empty embedded database, once', async () => {
    const db = await openPGlite({ memory: true });
    try {
      expect(await currentSchemaVersion(db)).toBeNull();
      const applied = await migrate(db, new Date('2026-01-01T00:00:00Z'));
      expect(applied.map((migration) => migration.name)).toEqual(listMigrations().map((migration) => migration.name));
      expect(await migrate(db, new Date())).toEqual([]);
      expect(await currentSchemaVersion(db)).toBe(latestMigrationVersion());
    } finally {
      await db.close();
    }
  });

  it('leave the schema untouched when one of them fails', async () => {
    const db = await openPGlite({ memory: true });
    try {
      const broken = [...listMigrations(), { version: 99, name: '0099_broken', sql: 'CREATE TABLE half_done (id int); SELECT no_such_function();' }];
      await expect(migrate(db, new Date(), broken)).rejects.toThrow(/no_such_function/);
      expect(await currentSchemaVersion(db)).toBeNull();
      expect((await db.query("SELECT to_regclass('customers') AS t")).rows[0]).toEqual({ t: null });
    } finally {
      await db.close();
    }
  });
});

describe.each(testDatabaseKinds)('schema constraints on %s', (kind) => {
  let database: TestDatabase;
  let customerId: string;
  const now = new Date('2026-03-01T10:00:00Z');
  beforeAll(async () => {
    database = await openTestDatabase(kind);
    const result = await database.db.query<{ id: string }>(
      "INSERT INTO customers (external_id, email, locale, created_at, updated_at) VALUES ('c1', 'c1@example.com', 'nl', $1, $1) RETURNING id",
      [now],
    );
    customerId = result.rows[0]!.id;
  });
  afterAll(() => database.dispose());

  it('runs two concurrent migrate calls without applying anything twice', async () => {
    const results = await Promise.all([migrate(database.db, now), migrate(database.db, now)]);
    expect(results).toEqual([[], []]);
  });

  const reject = (sql: string, params: unknown[], pattern: RegExp) => expect(database.db.query(sql, params)).rejects.toThrow(pattern);

  it('refuses a second row for one provider subscription', async () => {
    const insert = `INSERT INTO subscriptions (customer_id, provider, provider_subscription_id, plan_id, status, provider_status, provider_updated_at, created_at, updated_at, signed_up_at)
                    VALUES ($1, 'stripe', 'sub_1', 'monthly', 'trialing', 'trialing', $2, $2, $2, $2)`;
    await database.db.query(insert, [customerId, now]);
    await reject(insert, [customerId, now], /duplicate key/);
  });

  it('refuses a status outside the normalized set', () =>
    reject(
      `INSERT INTO subscriptions (customer_id, provider, provider_subscription_id, plan_id, status, provider_status, provider_updated_at, created_at, updated_at, signed_up_at)
       VALUES ($1, 'stripe', 'sub_2', 'monthly', 'unpaid', 'unpaid', $2, $2, $2, $2)`,
      [customerId, now],
      /check constraint/,
    ));

  it('refuses a refund above the amount, a lower-case currency and a duplicate payment', async () => {
    const insert = `INSERT INTO payments (customer_id, provider, provider_payment_id, kind, amount_minor, currency, amount_refunded_minor, status, provider_updated_at, created_at, updated_at)
                    VALUES ($1, 'stripe', $2, 'subscription', 2999, $3, $4, 'succeeded', $5, $5, $5)`;
    await reject(insert, [customerId, 'ch_1', 'EUR', 3000, now], /payments_refund_not_above_amount/);
    await reject(insert, [customerId, 'ch_1', 'eur', 0, now], /check constraint/);
    await database.db.query(insert, [customerId, 'ch_1', 'EUR', 1000, now]);
    await reject(insert, [customerId, 'ch_1', 'EUR', 0, now], /duplicate key/);
    const stored = await database.db.query('SELECT amount_minor, amount_refunded_minor FROM payments WHERE provider_payment_id = $1', ['ch_1']);
    expect(stored.rows).toEqual([{ amount_minor: 2999, amount_refunded_minor: 1000 }]);
  });

  it('stores each provider event once in the webhook inbox', async () => {
    const insert = `INSERT INTO webhook_inbox (provider, provider_event_id, type, payload, received_at) VALUES ('stripe', 'evt_1', 'invoice.paid', $1, $2)
                    ON CONFLICT (provider, provider_event_id) DO NOTHING`;
    const first = await database.db.query(insert, [JSON.stringify({ id: 'evt_1' }), now]);
    const second = await database.db.query(insert, [JSON.stringify({ id: 'evt_1' }), now]);
    expect([first.rowCount, second.rowCount]).toEqual([1, 0]);
  });

  it('keeps one outbox row per business key', async () => {
    const insert = `INSERT INTO notification_outbox (business_key, customer_id, channel, template, recipient, locale, payload, due_at, created_at, updated_at)
                    VALUES ('trial-reminder:sub_1:2026-03-31', $1, 'email', 'trial-reminder', 'c1@example.com', 'nl', '{}', $2, $2, $2)`;
    await database.db.query(insert, [customerId, now]);
    await reject(insert, [customerId, now], /duplicate key/);
  });

  it('refuses a ban without a reason', () =>
    reject("UPDATE customers SET banned = true WHERE id = $1", [customerId], /customers_ban_has_reason/));
});
