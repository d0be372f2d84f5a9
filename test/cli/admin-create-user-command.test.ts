import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { databaseTarget, openDatabase } from '../../src/db/open-database.ts';
import { verifyPassword } from '../../src/services/admin/password-hash.ts';
import { killSpawnedProcesses, runRecur } from '../fixtures/recur-process.ts';
import { openTestDatabase, testDatabaseKinds, type TestDatabase } from '../support/test-database.ts';

const EX_USAGE = 64;
const PASSWORD = 'correct horse battery staple';

describe.each(testDatabaseKinds)('`recur admin create-user` on %s', { timeout: 120_000 }, (kind) => {
  let root: string;
  let postgres: TestDatabase | undefined;
  let env: { RECUR_DATA_DIR: string; DATABASE_URL?: string };

  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), 'recur-admin-user-'));
    if (kind === 'postgres') postgres = await openTestDatabase('postgres');
    env = postgres ? { DATABASE_URL: postgres.url!, RECUR_DATA_DIR: join(root, 'unused') } : { RECUR_DATA_DIR: join(root, 'data') };
  });
  afterEach(() => killSpawnedProcesses());
  afterAll(async () => {
    await postgres?.dispose();
    rmSync(root, { recursive: true, force: true });
  });

  const recur = (args: string[], input?: string) => runRecur(args, { cwd: root, env, timeoutMs: 90_000, ...(input === undefined ? {} : { input }) });

  async function storedUsers(): Promise<{ username: string; password_hash: string }[]> {
    const db = await openDatabase(databaseTarget(env, root));
    try {
      return (await db.query<{ username: string; password_hash: string }>('SELECT username, password_hash FROM admin_users ORDER BY username')).rows;
    } finally {
      await db.close();
    }
  }

  it.each<[string, string[], string | undefined, string]>([
    ['without --username', ['--password-stdin'], `${PASSWORD}\n`, 'recur: --username is required'],
    ['without --password-stdin', ['--username', 'anna'], undefined, 'recur: give the password on stdin with --password-stdin'],
    ['with a short password', ['--username', 'anna', '--password-stdin'], 'short\n', 'recur: the password on stdin must be at least 12 characters (got 5)\n'],
    ['with a username it cannot store', ['--username', 'anna de vries', '--password-stdin'], `${PASSWORD}\n`, 'recur: --username must be 1 to 64 letters'],
  ])('refuses to run %s: one line, exit 64, nothing opened', async (_name, args, input, line) => {
    const run = await recur(['admin', 'create-user', ...args], input);
    expect(run.code, run.stderr).toBe(EX_USAGE);
    expect(run.stdout).toBe('');
    expect(run.stderr.split('\n').filter(Boolean)).toHaveLength(1);
    expect(run.stderr.startsWith(line)).toBe(true);
    expect(readdirSync(root)).toEqual([]);
  });

  it('stores the user in lower case with a salted scrypt hash of the password from stdin; a second one of that name is refused', async () => {
    const created = await recur(['admin', 'create-user', '--username', 'Anna', '--password-stdin'], `${PASSWORD}\n`);
    expect(created.code, created.stderr).toBe(0);
    expect(created.stdout).toMatch(/^created admin user "anna" \([0-9a-f-]{36}\); sign in at \/admin\/sign-in\n$/);
    const again = await recur(['admin', 'create-user', '--username', 'anna', '--password-stdin'], 'another long password');
    expect([again.code, again.stdout, again.stderr]).toEqual([1, '', 'recur: an admin user named "anna" exists already\n']);
    const other = await recur(['admin', 'create-user', '--username', 'bram', '--password-stdin'], PASSWORD);
    expect(other.code, other.stderr).toBe(0);

    const users = await storedUsers();
    expect(users.map((user) => user.username)).toEqual(['anna', 'bram']);
    for (const user of users) {
      expect(user.password_hash).toMatch(/^scrypt\$32768\$8\$1\$[A-Za-z0-9_-]{22}\$[A-Za-z0-9_-]{43}$/);
      expect(user.password_hash).not.toContain(PASSWORD);
      expect(await verifyPassword(PASSWORD, user.password_hash)).toBe(true);
      expect(await verifyPassword(`${PASSWORD}!`, user.password_hash)).toBe(false);
    }
    // The same password, another salt: equal passwords do not show as equal hashes.
    expect(users[0]!.password_hash).not.toBe(users[1]!.password_hash);
  });
});
