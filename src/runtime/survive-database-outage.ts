import type { Logger } from '../shared/logger.ts';

// Node's codes for a refused or cut connection, and PostgreSQL's for "connection" (class 08) and
// "the server is shutting down / restarting" (57P01-57P03).
const CONNECTION_ERRORS = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', '57P01', '57P02', '57P03']);

export function isLostDatabaseConnection(reason: unknown): boolean {
  if (!(reason instanceof Error)) return false;
  const code = (reason as { code?: unknown }).code;
  if (typeof code === 'string' && (CONNECTION_ERRORS.has(code) || code.startsWith('08'))) return true;
  return /Connection terminated|Client has encountered a connection error/.test(reason.message);
}

/**
 * pg-boss (10.4) marks a job completed or failed without awaiting it: while the database is away
 * that promise rejects with nobody to catch it, and Node ends the process on an unhandled
 * rejection. A lost connection is logged and the process stays up (the pool reconnects once the
 * database is back, and the job expires and runs again); any other unhandled rejection still
 * ends the process, as before.
 */
export function surviveDatabaseOutages(logger: Logger): () => void {
  const onRejection = (reason: unknown) => {
    if (!isLostDatabaseConnection(reason)) throw reason;
    logger.warn({ error: (reason as Error).message }, 'the database is unreachable; recur keeps running and reconnects when it is back');
  };
  process.on('unhandledRejection', onRejection);
  return () => process.off('unhandledRejection', onRejection);
}
