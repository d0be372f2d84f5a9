import type { Config } from '../config/load-config.ts';
import { databaseTarget, describeTarget } from '../db/open-database.ts';
import { DataDirNotOwnedError } from '../db/private-data-dir.ts';
import { CliError } from './cli-support.ts';

/** sysexits: a service recur needs does not answer (here: the PostgreSQL server of DATABASE_URL). */
export const EX_UNAVAILABLE = 69;
/**
 * sysexits: the operating system refused a resource, here the listening socket (bind failed:
 * the port is taken or privileged). Distinct from 75 (the embedded database is held by another
 * recur), 78 (a setting is invalid) and 69 (a remote service is down), so a supervisor or a
 * script can tell a taken port from the rest without reading the line.
 */
export const EX_OSERR = 71;

type PortSetting = 'PORT' | 'SANDBOX_PORT';

const errorCode = (error: unknown): string | undefined => {
  const { code, errors } = (error ?? {}) as { code?: unknown; errors?: unknown[] };
  if (typeof code === 'string') return code;
  // Node reports a connection tried on several addresses (IPv6 and IPv4) as an AggregateError.
  return Array.isArray(errors) ? errorCode(errors[0]) : undefined;
};

/** A port recur could not listen on, as one line naming the setting; null for anything else. */
export function describeListenFailure(error: unknown, setting: PortSetting, port: number): CliError | null {
  const advice = setting === 'PORT' ? 'set PORT to another port, or 0 for a free one' : 'set SANDBOX_PORT to another port, 0 for a free one, or SANDBOX=off';
  switch (errorCode(error)) {
    case 'EADDRINUSE':
      return new CliError(`${setting} ${port} is in use by another program (${advice})`, EX_OSERR);
    case 'EACCES':
      return new CliError(`${setting} ${port} needs privileges this process does not have (${advice})`, EX_OSERR);
    default:
      return null;
  }
}

const DATABASE_PROBLEMS: Record<string, (error: Error) => string> = {
  ECONNREFUSED: () => 'the connection was refused: is the server running on that host and port?',
  ENOTFOUND: () => 'its host name is unknown',
  EAI_AGAIN: () => 'its host name could not be looked up',
  ETIMEDOUT: () => 'the connection timed out',
  EHOSTUNREACH: () => 'the host is unreachable',
  ENETUNREACH: () => 'the network is unreachable',
  // PostgreSQL's own refusals (SQLSTATE): its message names the user or database, never a password.
  '28P01': (error) => `${error.message}: check the user and password in DATABASE_URL`,
  '28000': (error) => `${error.message}: check the user in DATABASE_URL`,
  '3D000': (error) => `${error.message}: create it, or fix the database name in DATABASE_URL`,
};

/** A PostgreSQL server recur could not use, as one line naming DATABASE_URL; null for anything else. */
export function describeDatabaseFailure(error: unknown, config: Pick<Config, 'DATABASE_URL' | 'RECUR_DATA_DIR'>): CliError | null {
  if (!config.DATABASE_URL || !(error instanceof Error)) return null;
  const problem = DATABASE_PROBLEMS[errorCode(error) ?? ''];
  if (!problem) return null;
  return new CliError(`DATABASE_URL: cannot use ${describeTarget(databaseTarget(config))}: ${problem(error)}`, EX_UNAVAILABLE);
}

/** sysexits: a setting to change (here RECUR_DATA_DIR), as for every configuration error. */
export const EX_CONFIG = 78;

/** A data directory recur cannot make private, as one line naming RECUR_DATA_DIR; null for anything else. */
export function describeDataDirFailure(error: unknown): CliError | null {
  if (error instanceof DataDirNotOwnedError) {
    return new CliError(`RECUR_DATA_DIR: ${error.message}; run recur as that user, or give the directory to this one (chown -R)`, EX_CONFIG);
  }
  const code = errorCode(error);
  if (code === 'EPERM' || code === 'EACCES' || code === 'EROFS') {
    const path = (error as { path?: string }).path ?? 'the data directory';
    return new CliError(`RECUR_DATA_DIR: cannot make ${path} private (owner-only): ${code}; check the directory's owner and mount`, EX_CONFIG);
  }
  return null;
}
