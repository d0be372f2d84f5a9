import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { inject } from 'vitest';
import type { Database, DatabaseKind } from '../../src/db/database.ts';
import { openPGlite } from '../../src/db/pglite-database.ts';
import { openPostgres } from '../../src/db/postgres-database.ts';
import { withDatabase } from './global-setup.ts';

/** PGlite always; PostgreSQL too when TEST_DATABASE_URL is set (CI sets it). */
export const testDatabaseKinds: DatabaseKind[] = inject('postgresTemplate') ? ['pglite', 'postgres'] : ['pglite'];

export type TestDatabase = { db: Database; url: string | null; dispose(): Promise<void> };

/** A fresh, migrated database of the given kind, copied from the suite's template. */
export async function openTestDatabase(kind: DatabaseKind): Promise<TestDatabase> {
  if (kind === 'pglite') {
    const db = await openPGlite({ loadDataDir: new Blob([readFileSync(inject('pgliteTemplatePath'))]) });
    return { db, url: null, dispose: () => db.close() };
  }
  const template = inject('postgresTemplate');
  if (!template) throw new Error('PostgreSQL tests need TEST_DATABASE_URL');
  const name = `recur_t${template.templateName.replace('recur_template_', '')}_${randomBytes(6).toString('hex')}`;
  const admin = openPostgres(template.adminUrl, { maxConnections: 1 });
  await admin.query(`CREATE DATABASE ${name} TEMPLATE ${template.templateName}`);
  const url = withDatabase(template.adminUrl, name);
  const db = openPostgres(url);
  return {
    db,
    url,
    async dispose() {
      await db.close();
      await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await admin.close();
    },
  };
}
