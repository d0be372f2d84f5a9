import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestDatabase, testDatabaseKinds, type TestDatabase } from '../support/test-database.ts';

// PGlite is one session: without serialization two overlapping transactions interleave their
// statements, and a ROLLBACK of one undoes the other's rows while it reports success.
describe.each(testDatabaseKinds)('overlapping transactions on %s', (kind) => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await openTestDatabase(kind);
    await database.db.exec('CREATE TABLE tx_probe (tx integer NOT NULL, step integer NOT NULL)');
  });
  afterAll(() => database.dispose());

  it('each of 40 concurrent transactions commits or rolls back whole', async () => {
    const db = database.db;
    const pause = () => new Promise((resolve) => setTimeout(resolve, Math.random() * 3));
    const outcomes = await Promise.allSettled(
      Array.from({ length: 40 }, (_, tx) =>
        db.transaction(async (t) => {
          for (let step = 0; step < 5; step++) {
            await t.query('INSERT INTO tx_probe (tx, step) VALUES ($1, $2)', [tx, step]);
            await pause();
            if (tx % 3 === 0 && step === 2) throw new Error(`transaction ${tx} gives up half-way`);
          }
          return tx;
        }),
      ),
    );
    const committed = outcomes.flatMap((outcome) => (outcome.status === 'fulfilled' ? [outcome.value] : []));
    const rows = await db.query<{ tx: number; steps: number }>('SELECT tx, count(*)::int AS steps FROM tx_probe GROUP BY tx ORDER BY tx');

    expect(committed).toHaveLength(26);
    expect(rows.rows).toEqual(committed.map((tx) => ({ tx, steps: 5 })));
  });

  it('a statement outside a transaction never sees another transaction half-done', async () => {
    const db = database.db;
    await db.exec('TRUNCATE tx_probe');
    let release!: () => void;
    let firstRowWritten!: () => void;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const halfDone = new Promise<void>((resolve) => {
      firstRowWritten = resolve;
    });
    const writer = db.transaction(async (t) => {
      await t.query('INSERT INTO tx_probe (tx, step) VALUES (1, 0)');
      firstRowWritten();
      await gate;
      await t.query('INSERT INTO tx_probe (tx, step) VALUES (1, 1)');
    });
    await halfDone;
    const reader = db.query<{ n: number }>('SELECT count(*)::int AS n FROM tx_probe');
    setTimeout(release, 20);
    await writer;
    // PostgreSQL: the reader sees nothing yet (0). PGlite: it waits for the commit (2).
    expect([0, 2]).toContain((await reader).rows[0]!.n);
    expect((await db.query<{ n: number }>('SELECT count(*)::int AS n FROM tx_probe')).rows[0]!.n).toBe(2);
  });

  it('a failing statement rolls its transaction back and leaves the connection usable', async () => {
    const db = database.db;
    await db.exec('TRUNCATE tx_probe');
    await expect(
      db.transaction(async (t) => {
        await t.query('INSERT INTO tx_probe (tx, step) VALUES (7, 0)');
        await t.query('INSERT INTO tx_probe (tx, step) VALUES (NULL, 1)');
      }),
    ).rejects.toThrow(/null value/);
    await db.transaction(async (t) => t.query('INSERT INTO tx_probe (tx, step) VALUES (8, 0)'));
    expect((await db.query('SELECT tx FROM tx_probe')).rows).toEqual([{ tx: 8 }]);
  });
});
