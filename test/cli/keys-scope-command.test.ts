import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { databaseTarget, openDatabase } from '../../src/db/open-database.ts';
import { killSpawnedProcesses, runRecur } from '../fixtures/recur-process.ts';
import { openTestDatabase, testDatabaseKinds, type TestDatabase } from '../support/test-database.ts';

const EX_USAGE = 64;

describe.each(testDatabaseKinds)('`recur keys create --scope` on %s', { timeout: 120_000 }, (kind) => {
  let root: string;
  let postgres: TestDatabase | undefined;
  let env: { RECUR_DATA_DIR: string; DATABASE_URL?: string };

  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), 'recur-key-scope-'));
    if (kind === 'postgres') postgres = await openTestDatabase('postgres');
    env = postgres ? { DATABASE_URL: postgres.url!, RECUR_DATA_DIR: join(root, 'unused') } : { RECUR_DATA_DIR: join(root, 'data') };
  });
  afterEach(() => killSpawnedProcesses());
  afterAll(async () => {
    await postgres?.dispose();
    rmSync(root, { recursive: true, force: true });
  });

  const recur = (args: string[]) => runRecur(args, { cwd: root, env, timeoutMs: 90_000 });

  async function storedScopes(): Promise<{ name: string; scope: string }[]> {
    const db = await openDatabase(databaseTarget(env, root));
    try {
      return (await db.query<{ name: string; scope: string }>('SELECT name, scope FROM api_keys ORDER BY name')).rows;
    } finally {
      await db.close();
    }
  }

  it('refuses a scope that does not exist with one line and exit 64, before anything is opened', async () => {
    const run = await recur(['keys', 'create', '--name', 'frontend', '--scope', 'write']);
    expect([run.code, run.stdout, run.stderr]).toEqual([EX_USAGE, '', 'recur: --scope must be one of read, admin (got "write")\n']);
    expect(readdirSync(root)).toEqual([]);
  });

  it('creates a read key and, by default, an admin key; `keys list` shows each scope', async () => {
    const read = await recur(['keys', 'create', '--name', 'webshop frontend', '--scope', 'read']);
    expect(read.code, read.stderr).toBe(0);
    expect(read.stdout.trim()).toMatch(/^rk_[A-Za-z0-9_-]{43}$/);
    const admin = await recur(['keys', 'create', '--name', 'webshop backend']);
    expect(admin.code, admin.stderr).toBe(0);

    const listed = await recur(['keys', 'list']);
    expect(listed.code, listed.stderr).toBe(0);
    const lines = listed.stdout.trimEnd().split('\n');
    expect(lines).toHaveLength(2);
    expect(lines.find((line) => line.includes('webshop frontend'))).toMatch(/… {2}read {3}webshop frontend {2}created /);
    expect(lines.find((line) => line.includes('webshop backend'))).toMatch(/… {2}admin {2}webshop backend {2}created /);

    expect(await storedScopes()).toEqual([
      { name: 'webshop backend', scope: 'admin' },
      { name: 'webshop frontend', scope: 'read' },
    ]);
  });
});
