import { chmodSync, chownSync, existsSync, lstatSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { listMigrations, migrate } from '../../src/db/migrate.ts';
import { openPGlite } from '../../src/db/pglite-database.ts';
import { killSpawnedProcesses, runRecur, startRecur, type RunningRecur } from '../fixtures/recur-process.ts';
import { openTestDatabase, testDatabaseKinds } from '../support/test-database.ts';

// recur's data directory holds the embedded database, the sandbox's state and, in development,
// the link-signing key: only its owner may read any of it, whatever the umask (ADR 0014).
const STARTUP_MS = 150_000;

let root: string;
beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'recur-data-dir-privacy-'));
});
afterEach(() => killSpawnedProcesses());
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** Every path under `dir` (itself included) whose mode lets group or others in, with that mode. */
function openToOthers(dir: string): string[] {
  const found: string[] = [];
  const visit = (path: string) => {
    const stat = lstatSync(path);
    if (stat.isSymbolicLink()) return;
    if ((stat.mode & 0o077) !== 0) found.push(`${path.slice(dir.length) || '/'} ${(stat.mode & 0o777).toString(8)}`);
    if (stat.isDirectory()) for (const entry of readdirSync(path)) visit(join(path, entry));
  };
  visit(dir);
  return found;
}

function countFiles(dir: string): number {
  return readdirSync(dir, { recursive: true }).filter((entry) => statSync(join(dir, String(entry))).isFile()).length;
}

async function writeSomeRows(server: RunningRecur, key: string, prefix: string): Promise<void> {
  for (let index = 0; index < 20; index++) {
    const response = await fetch(`${server.url}/v1/customers`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: JSON.stringify({ external_id: `${prefix}-${index}`, email: `${prefix}-${index}@example.nl`, name: 'x'.repeat(200) }),
    });
    expect(response.status).toBe(201);
  }
}

describe('the data directory of `recur start`', { timeout: 4 * STARTUP_MS }, () => {
  let dataDir: string;
  let key: string;
  const env = () => ({ RECUR_DATA_DIR: dataDir, NOTICES_CRON: 'off', RECONCILE_CRON: 'off' });

  beforeAll(async () => {
    dataDir = join(root, 'data');
    const created = await runRecur(['keys', 'create', '--name', 'privacy'], { cwd: root, env: env(), timeoutMs: STARTUP_MS });
    expect(created.code, created.stderr).toBe(0);
    key = created.stdout.trim();
  }, STARTUP_MS);

  it('is owner-only, every file and directory, while running and after writes and a stop (with the usual umask 022)', async () => {
    const server = await startRecur({ cwd: root, env: env(), timeoutMs: STARTUP_MS });
    await writeSomeRows(server, key, 'first');
    expect(openToOthers(dataDir)).toEqual([]);
    expect(await server.stop('SIGTERM')).toEqual({ code: 0, signal: null });
    expect(countFiles(dataDir)).toBeGreaterThan(900);
    expect(openToOthers(dataDir)).toEqual([]);
  });

  it('keeps the generated link-signing key in a 0600 file, in no table of the database', async () => {
    const keyFile = join(dataDir, 'link-signing.key');
    expect(statSync(keyFile).mode & 0o777).toBe(0o600);
    expect(readFileSync(keyFile, 'utf8').trim()).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const db = await openPGlite({ dataDir: join(dataDir, 'pgdata') });
    try {
      expect((await db.query<{ present: boolean }>("SELECT to_regclass('service_secrets') IS NOT NULL AS present")).rows[0]!.present).toBe(false);
    } finally {
      await db.close();
    }
  });

  it('narrows wider permissions found at start, with a warning, and stays owner-only through new writes', async () => {
    chmodSync(dataDir, 0o777);
    for (const entry of readdirSync(dataDir, { recursive: true })) {
      const path = join(dataDir, String(entry));
      chmodSync(path, statSync(path).isDirectory() ? 0o777 : 0o666);
    }
    expect(openToOthers(dataDir).length).toBeGreaterThan(900);

    const server = await startRecur({ cwd: root, env: env(), timeoutMs: STARTUP_MS });
    expect(server.stdout()).toMatch(/"level":40[^\n]*"msg":"the data directory was open to other users: group and others' permissions were removed"/);
    await writeSomeRows(server, key, 'second');
    expect(openToOthers(dataDir)).toEqual([]);
    expect(await server.stop('SIGTERM')).toEqual({ code: 0, signal: null });
    expect(openToOthers(dataDir)).toEqual([]);
  });

  it.runIf(process.getuid?.() === 0)('refuses with one line when a file belongs to another user (who alone could change it)', async () => {
    const foreign = join(dataDir, 'pgdata', 'PG_VERSION');
    chownSync(foreign, 4242, 4242);
    try {
      const run = await runRecur(['start'], { cwd: root, env: { ...env(), PORT: '0', SANDBOX_PORT: '0' }, timeoutMs: STARTUP_MS });
      expect(run.code, run.stderr).toBe(78);
      expect(run.stderr).toMatch(new RegExp(`^recur: RECUR_DATA_DIR: ${foreign.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')} belongs to user 4242, not to the user recur runs as \\(0\\), so recur cannot keep it private; .*\\n$`));
      expect(existsSync(join(dataDir, 'recur.lock'))).toBe(false);
    } finally {
      chownSync(foreign, 0, 0);
    }
  });
});

describe('a development database of an earlier recur, whose generated link key was in a table', { timeout: 2 * STARTUP_MS }, () => {
  it('moves the key to the file (links sent before keep working) and drops the table', async () => {
    const dataDir = join(root, 'earlier');
    const earlierKey = 'k'.repeat(43);
    const db = await openPGlite({ dataDir: join(dataDir, 'pgdata') });
    try {
      await migrate(db, new Date(), listMigrations().filter((migration) => migration.version <= 6));
      await db.query("INSERT INTO service_secrets (name, secret, created_at) VALUES ('link-signing', $1, now())", [earlierKey]);
    } finally {
      await db.close();
    }

    const server = await startRecur({ cwd: root, env: { RECUR_DATA_DIR: dataDir, SANDBOX: 'off' }, timeoutMs: STARTUP_MS });
    expect(await server.stop('SIGTERM')).toEqual({ code: 0, signal: null });
    expect(readFileSync(join(dataDir, 'link-signing.key'), 'utf8').trim()).toBe(earlierKey);
    const reopened = await openPGlite({ dataDir: join(dataDir, 'pgdata') });
    try {
      expect((await reopened.query<{ present: boolean }>("SELECT to_regclass('service_secrets') IS NOT NULL AS present")).rows[0]!.present).toBe(false);
    } finally {
      await reopened.close();
    }
  });
});

describe.runIf(testDatabaseKinds.includes('postgres'))('key-less development on PostgreSQL', { timeout: 2 * STARTUP_MS }, () => {
  it('keeps the generated link-signing key in the data directory (0600), not in the database', async () => {
    const database = await openTestDatabase('postgres');
    try {
      const dataDir = join(root, 'beside-postgres');
      const server = await startRecur({ cwd: root, env: { DATABASE_URL: database.url!, RECUR_DATA_DIR: dataDir, SANDBOX: 'off' }, timeoutMs: STARTUP_MS });
      expect(await server.stop('SIGTERM')).toEqual({ code: 0, signal: null });
      expect(statSync(join(dataDir, 'link-signing.key')).mode & 0o777).toBe(0o600);
      expect(openToOthers(dataDir)).toEqual([]);
      expect((await database.db.query<{ present: boolean }>("SELECT to_regclass('service_secrets') IS NOT NULL AS present")).rows[0]!.present).toBe(false);
    } finally {
      await database.dispose();
    }
  });
});
