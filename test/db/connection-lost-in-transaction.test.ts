import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestDatabase, testDatabaseKinds, type TestDatabase } from '../support/test-database.ts';

/**
 * A PostgreSQL server that ends a connection between two statements of a transaction (a restart,
 * an administrator's terminate) fails that transaction; it must not stop the process (an 'error'
 * event on a checked-out client with no listener did), and the pool goes on with a new connection.
 */
describe.skipIf(!testDatabaseKinds.includes('postgres'))('a connection lost inside a transaction', () => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await openTestDatabase('postgres');
  });
  afterAll(() => database.dispose());

  it('fails the transaction, keeps the process, and the next one runs on a new connection', async () => {
    const { db } = database;
    let terminatedPid = 0;
    const outcome = db.transaction(async (tx) => {
      const { rows } = await tx.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
      terminatedPid = rows[0]!.pid;
      // Another connection ends this one while the transaction waits between statements.
      await db.query('SELECT pg_terminate_backend($1)', [terminatedPid]);
      await new Promise((resolve) => setTimeout(resolve, 300));
      await tx.query('SELECT 1');
    });
    await expect(outcome).rejects.toThrow();
    const { rows } = await db.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
    expect(rows[0]!.pid).not.toBe(terminatedPid);
    expect(await db.transaction(async (tx) => (await tx.query<{ one: number }>('SELECT 1 AS one')).rows[0]!.one)).toBe(1);
  });
});
