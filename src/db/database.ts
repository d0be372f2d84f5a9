/** What repositories need from a connection: one parameterised statement at a time. */
export interface Queryable {
  query<Row = Record<string, unknown>>(sql: string, params?: readonly unknown[], options?: QueryOptions): Promise<QueryResult<Row>>;
  /**
   * Runs a script of several statements without parameters (migrations, the job queue's own
   * SQL) and returns the rows of its last statement.
   */
  exec<Row = Record<string, unknown>>(sql: string): Promise<Row[]>;
}

/**
 * `name` makes the statement a named prepared statement on PostgreSQL: parsed and planned once per
 * connection, then only bound and executed. For hot statements with a fixed text only: one name
 * must always mean one text, and a text built per call (a varying IN list, a row count) would leave
 * a prepared statement per variant on every connection. The embedded database ignores it.
 */
export type QueryOptions = { name?: string };

export type QueryResult<Row> = { rows: Row[]; rowCount: number };

export type DatabaseKind = 'pglite' | 'postgres';

/**
 * The one database handle the service passes down. `transaction` runs `work` on a single
 * connection and commits or rolls back as a whole; code inside must use the `tx` it is given,
 * never the outer handle (on PGlite the outer handle waits for the transaction to finish).
 */
export interface Database extends Queryable {
  readonly kind: DatabaseKind;
  transaction<T>(work: (tx: Queryable) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);

/** int8 columns (money, counters) come back as numbers on both drivers, never as strings or BigInt. */
export function parseInt8(text: string): number {
  const value = BigInt(text);
  if (value > MAX_SAFE || value < -MAX_SAFE) throw new RangeError(`int8 value ${text} is outside the safe integer range`);
  return Number(value);
}
