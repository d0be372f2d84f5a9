import pg from 'pg';
import { parseInt8, type Database, type Queryable, type QueryOptions, type QueryResult } from './database.ts';

/** A PostgreSQL server (15 or newer) through a `pg` pool. */
export function openPostgres(connectionString: string, options: { maxConnections?: number } = {}): Database {
  const pool = new pg.Pool({
    connectionString,
    max: options.maxConnections ?? 10,
    types: { getTypeParser: (oid, format) => (oid === 20 ? parseInt8 : pg.types.getTypeParser(oid, format)) } as pg.CustomTypesConfig,
  });
  // An idle client that loses its server must not crash the process; the next query reports it.
  pool.on('error', () => {});
  return new PostgresDatabase(pool);
}

class PostgresDatabase implements Database {
  readonly kind = 'postgres' as const;

  constructor(readonly pool: pg.Pool) {}

  async query<Row>(sql: string, params: readonly unknown[] = [], options: QueryOptions = {}): Promise<QueryResult<Row>> {
    return toResult<Row>(await this.pool.query(statement(sql, params, options)));
  }

  async transaction<T>(work: (tx: Queryable) => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
    // The pool listens for errors only on idle clients: a server that goes away between two
    // statements of a transaction (a restart, an administrator's terminate) would emit 'error' on
    // this checked-out client with no listener, and that stops the process. Kept instead: the next
    // statement fails, the transaction is reported failed, and the dead client is not pooled again.
    let lost: Error | undefined;
    const onLost = (error: Error) => {
      lost = error;
    };
    client.on('error', onLost);
    try {
      await client.query('BEGIN');
      const tx: Queryable = {
        query: async <Row>(sql: string, params: readonly unknown[] = [], options: QueryOptions = {}) => toResult<Row>(await client.query(statement(sql, params, options))),
        exec: async <Row>(sql: string) => lastRows<Row>(await client.query(sql)),
      };
      const result = await work(tx);
      await client.query('COMMIT');
      return result;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => {});
      throw error;
    } finally {
      client.off('error', onLost);
      client.release(lost);
    }
  }

  async exec<Row>(sql: string): Promise<Row[]> {
    return lastRows<Row>(await this.pool.query(sql));
  }

  async close(): Promise<void> {
    await this.pool.end();
  }
}

function statement(sql: string, params: readonly unknown[], options: QueryOptions): pg.QueryConfig {
  return options.name ? { name: options.name, text: sql, values: [...params] } : { text: sql, values: [...params] };
}

function toResult<Row>(result: pg.QueryResult): QueryResult<Row> {
  return { rows: result.rows as Row[], rowCount: result.rowCount ?? result.rows.length };
}

// A multi-statement text answers one result per statement; callers want the last one's rows.
function lastRows<Row>(result: pg.QueryResult | pg.QueryResult[]): Row[] {
  const last = Array.isArray(result) ? result.at(-1) : result;
  return (last?.rows ?? []) as Row[];
}
