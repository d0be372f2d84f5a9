import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Database, Queryable } from './database.ts';

export type Migration = { version: number; name: string; sql: string };

const MIGRATIONS_DIR = fileURLToPath(new URL('./migrations/', import.meta.url));
// Any constant works; it only has to be the same in every recur process.
const MIGRATION_LOCK_KEY = 7_302_117;

/** The numbered SQL files in src/db/migrations, in order: NNNN_description.sql. */
export function listMigrations(dir = MIGRATIONS_DIR): Migration[] {
  return readdirSync(dir)
    .filter((file) => /^\d{4}_[a-z0-9_]+\.sql$/.test(file))
    .sort()
    .map((file) => ({ version: Number(file.slice(0, 4)), name: file.replace(/\.sql$/, ''), sql: readFileSync(dir + file, 'utf8') }));
}

export const latestMigrationVersion = (): number => listMigrations().at(-1)?.version ?? 0;

/**
 * Applies the pending migrations in one transaction under an advisory lock, so two recur
 * processes starting at once on one PostgreSQL never apply the same file twice, and a failing
 * file leaves the schema as it was.
 */
export async function migrate(db: Database, now: Date, migrations = listMigrations()): Promise<Migration[]> {
  return db.transaction(async (tx) => {
    await tx.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK_KEY]);
    await tx.query(
      'CREATE TABLE IF NOT EXISTS schema_migrations (version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL)',
    );
    const applied = await appliedVersions(tx);
    const pending = migrations.filter((migration) => !applied.has(migration.version));
    for (const migration of pending) {
      await tx.exec(migration.sql);
      await tx.query('INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)', [migration.version, migration.name, now]);
    }
    return pending;
  });
}

/** The highest applied version, or null when the database has never been migrated. */
export async function currentSchemaVersion(db: Queryable): Promise<number | null> {
  const exists = await db.query<{ present: boolean }>("SELECT to_regclass('schema_migrations') IS NOT NULL AS present");
  if (!exists.rows[0]?.present) return null;
  const result = await db.query<{ version: number | null }>('SELECT max(version) AS version FROM schema_migrations');
  return result.rows[0]?.version ?? null;
}

async function appliedVersions(tx: Queryable): Promise<Set<number>> {
  const result = await tx.query<{ version: number }>('SELECT version FROM schema_migrations');
  return new Set(result.rows.map((row) => row.version));
}
