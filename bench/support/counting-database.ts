import type { Database, Queryable } from '../../src/db/database.ts';

export type StatementCount = { statements: number };

function countingQueryable(inner: Queryable, count: StatementCount): Queryable {
  return {
    query: (sql, params, options) => {
      count.statements += 1;
      return inner.query(sql, params, options);
    },
    exec: (sql) => {
      count.statements += 1;
      return inner.exec(sql);
    },
  };
}

/**
 * The same database, counting the statements sent through it: each query, and a transaction's
 * BEGIN and COMMIT, so a figure per event shows round trips, not just the code's queries.
 */
export function countingDatabase(inner: Database, count: StatementCount): Database {
  return {
    kind: inner.kind,
    ...countingQueryable(inner, count),
    transaction: (work) => {
      count.statements += 2;
      return inner.transaction((tx) => work(countingQueryable(tx, count)));
    },
    close: () => inner.close(),
  };
}
