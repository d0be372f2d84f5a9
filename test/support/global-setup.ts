import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { TestProject } from 'vitest/node';
import type { Database } from '../../src/db/database.ts';
import { migrate } from '../../src/db/migrate.ts';
import { dumpPGlite, openPGlite } from '../../src/db/pglite-database.ts';
import { openPostgres } from '../../src/db/postgres-database.ts';
import { startJobEngine } from '../../src/jobs/job-engine.ts';
import { createLogger } from '../../src/shared/logger.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    pgliteTemplatePath: string;
    postgresTemplate: { adminUrl: string; templateName: string } | null;
  }
}

/**
 * Builds one migrated database per engine before any test file runs (PGlite: a dump file;
 * PostgreSQL: a template database). Each test file then starts from a copy in well under a
 * second instead of creating and migrating a database of its own.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  // The CLI the tests spawn (bin/recur.js) runs dist/recur.js and compiles it first when a source
  // changed: compiled once here, not by several test processes at the same moment.
  execFileSync(process.execPath, [fileURLToPath(new URL('../../bin/compiled-cli.js', import.meta.url))], { stdio: 'inherit' });
  const dir = mkdtempSync(join(tmpdir(), 'recur-test-'));
  const pglite = await openPGlite({ memory: true });
  await prepareTemplate(pglite);
  const pglitePath = join(dir, 'template.tar');
  writeFileSync(pglitePath, Buffer.from(await (await dumpPGlite(pglite)).arrayBuffer()));
  await pglite.close();
  project.provide('pgliteTemplatePath', pglitePath);

  const adminUrl = process.env.TEST_DATABASE_URL;
  let cleanupPostgres = async () => {};
  if (adminUrl) {
    const templateName = `recur_template_${process.pid}`;
    const admin = openPostgres(adminUrl, { maxConnections: 1 });
    await admin.query(`DROP DATABASE IF EXISTS ${templateName}`);
    await admin.query(`CREATE DATABASE ${templateName}`);
    const template = openPostgres(withDatabase(adminUrl, templateName), { maxConnections: 1 });
    await prepareTemplate(template);
    await template.close();
    project.provide('postgresTemplate', { adminUrl, templateName });
    cleanupPostgres = async () => {
      const stale = await admin.query<{ datname: string }>("SELECT datname FROM pg_database WHERE datname LIKE $1", [`recur_t${process.pid}_%`]);
      for (const { datname } of stale.rows) await admin.query(`DROP DATABASE IF EXISTS ${datname} WITH (FORCE)`);
      await admin.query(`DROP DATABASE IF EXISTS ${templateName}`);
      await admin.close();
    };
  } else {
    project.provide('postgresTemplate', null);
  }

  return async () => {
    await cleanupPostgres();
    rmSync(dir, { recursive: true, force: true });
  };
}

async function prepareTemplate(db: Database): Promise<void> {
  await migrate(db, new Date());
  // The job queue's own schema too, so job tests need not install it.
  const engine = await startJobEngine({ db, jobs: [], logger: createLogger('silent'), pollIntervalSeconds: 1, work: false });
  await engine.stop();
}

export function withDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${database}`;
  return parsed.toString();
}
