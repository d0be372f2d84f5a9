import type PgBoss from 'pg-boss';
import type { Queryable } from '../db/database.ts';

/**
 * pg-boss runs its SQL through recur's own connection, so on PGlite it shares the one
 * serialized session and on PostgreSQL the same pool. Parameterless texts can be scripts of
 * several statements, which only the simple protocol (`exec`) accepts.
 */
export function toPgBossDb(connection: Queryable): PgBoss.Db {
  return {
    async executeSql(text: string, values?: unknown[]) {
      if (!values || values.length === 0) return { rows: await connection.exec(text) };
      const result = await connection.query(text, values);
      return { rows: result.rows };
    },
  };
}
