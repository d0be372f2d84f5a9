import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestDatabase, testDatabaseKinds, type TestDatabase } from '../support/test-database.ts';

describe.each(testDatabaseKinds)('named statements on %s', (kind) => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await openTestDatabase(kind);
    await database.db.exec('CREATE TABLE named_probe (id integer PRIMARY KEY, label text NOT NULL)');
  });
  afterAll(() => database.dispose());

  it('runs a named statement again with new parameters, in and out of a transaction', async () => {
    const db = database.db;
    const insert = 'INSERT INTO named_probe (id, label) VALUES ($1, $2)';
    for (let id = 1; id <= 3; id++) await db.query(insert, [id, `row ${id}`], { name: 'named-probe-insert' });
    await db.transaction(async (tx) => {
      await tx.query(insert, [4, 'row 4'], { name: 'named-probe-insert' });
      await tx.query(insert, [5, 'row 5'], { name: 'named-probe-insert' });
    });
    const read = (id: number) => db.query<{ label: string }>('SELECT label FROM named_probe WHERE id = $1', [id], { name: 'named-probe-read' });
    expect((await read(2)).rows).toEqual([{ label: 'row 2' }]);
    expect((await read(5)).rows).toEqual([{ label: 'row 5' }]);
  });

  it.runIf(kind === 'postgres')('is prepared once on the session that runs it', async () => {
    const prepared = await database.db.transaction(async (tx) => {
      await tx.query('SELECT label FROM named_probe WHERE id = $1', [1], { name: 'named-probe-session' });
      return tx.query<{ name: string; statement: string }>("SELECT name, statement FROM pg_prepared_statements WHERE name = 'named-probe-session'");
    });
    expect(prepared.rows).toEqual([{ name: 'named-probe-session', statement: 'SELECT label FROM named_probe WHERE id = $1' }]);
  });
});
