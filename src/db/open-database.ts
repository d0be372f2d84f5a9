import { resolve } from 'node:path';
import type { Database } from './database.ts';
import { openPGlite } from './pglite-database.ts';
import { openPostgres } from './postgres-database.ts';

export type DatabaseTarget = { kind: 'postgres'; url: string } | { kind: 'pglite'; dataDir: string };

/** DATABASE_URL wins; otherwise the embedded database in RECUR_DATA_DIR. */
export function databaseTarget(settings: { DATABASE_URL?: string | undefined; RECUR_DATA_DIR: string }, cwd = process.cwd()): DatabaseTarget {
  if (settings.DATABASE_URL) return { kind: 'postgres', url: settings.DATABASE_URL };
  return { kind: 'pglite', dataDir: resolve(cwd, settings.RECUR_DATA_DIR, 'pgdata') };
}

export async function openDatabase(target: DatabaseTarget): Promise<Database> {
  return target.kind === 'postgres' ? openPostgres(target.url) : openPGlite({ dataDir: target.dataDir });
}

/** Where a connection string may carry a password: show host and database only. */
export function describeTarget(target: DatabaseTarget): string {
  if (target.kind === 'pglite') return `embedded PostgreSQL (PGlite) in ${target.dataDir}`;
  const url = new URL(target.url);
  return `PostgreSQL at ${url.hostname}:${url.port || '5432'}${url.pathname}`;
}
