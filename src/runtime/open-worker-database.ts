import type { Database } from '../db/database.ts';
import { databaseTarget } from '../db/open-database.ts';
import { openPostgres } from '../db/postgres-database.ts';

/** Connections of the inbox worker's own pool: enough for its groups' short transactions (they never wait on the network inside one). */
export const WORKER_CONNECTIONS = 4;

/**
 * On PostgreSQL, a small pool for the inbox worker alone, so HTTP requests holding every connection
 * of the main pool (a webhook burst) cannot keep the worker from applying. The embedded database
 * has one session for everything: null, and the worker shares it (its statements queue with the
 * requests' one at a time, as every statement there does).
 */
export function openWorkerDatabase(settings: { DATABASE_URL?: string | undefined; RECUR_DATA_DIR: string }): Database | null {
  const target = databaseTarget(settings);
  return target.kind === 'postgres' ? openPostgres(target.url, { maxConnections: WORKER_CONNECTIONS }) : null;
}
