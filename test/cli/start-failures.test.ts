import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { killSpawnedProcesses, runRecur, startRecur, type RecurRun } from '../fixtures/recur-process.ts';
import { openTestDatabase, testDatabaseKinds, type TestDatabase } from '../support/test-database.ts';

// What an operator's supervisor sees when recur cannot start: one line naming the setting to
// change, a code of its own, and a process that has ended with nothing left running or locked.
const EX_UNAVAILABLE = 69;
const EX_OSERR = 71;
const EX_TEMPFAIL = 75;

let root: string;
let occupied: Server;
let busyPort: number;
let dirCount = 0;
const freshDir = () => join(root, `cwd-${++dirCount}`);

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'recur-start-failures-'));
  occupied = createServer();
  await new Promise<void>((resolve) => occupied.listen(0, '127.0.0.1', resolve));
  busyPort = (occupied.address() as { port: number }).port;
});
afterEach(() => killSpawnedProcesses());
afterAll(async () => {
  await new Promise((resolve) => occupied.close(resolve));
  rmSync(root, { recursive: true, force: true });
});

function expectOneLine(run: RecurRun, code: number): string {
  expect(run.code, run.stderr).toBe(code);
  const lines = run.stderr.trimEnd().split('\n');
  expect(lines, run.stderr).toHaveLength(1);
  return lines[0]!;
}

describe('recur start cannot listen', { timeout: 180_000 }, () => {
  it('names PORT when the port is taken, exits 71 and leaves the embedded database unlocked', async () => {
    const dataDir = freshDir();
    const run = await runRecur(['start'], { cwd: root, env: { PORT: String(busyPort), SANDBOX_PORT: '0', RECUR_DATA_DIR: dataDir, LOG_LEVEL: 'warn' }, timeoutMs: 150_000 });
    expect(expectOneLine(run, EX_OSERR)).toBe(`recur: PORT ${busyPort} is in use by another program (set PORT to another port, or 0 for a free one)`);
    expect(existsSync(join(dataDir, 'pgdata'))).toBe(true);
    expect(existsSync(join(dataDir, 'recur.lock'))).toBe(false);
  });

  it('names SANDBOX_PORT when the sandbox cannot listen, before anything else is opened', async () => {
    const dataDir = freshDir();
    const run = await runRecur(['start'], { cwd: root, env: { PORT: '0', SANDBOX_PORT: String(busyPort), RECUR_DATA_DIR: dataDir, LOG_LEVEL: 'warn' }, timeoutMs: 150_000 });
    expect(expectOneLine(run, EX_OSERR)).toBe(`recur: SANDBOX_PORT ${busyPort} is in use by another program (set SANDBOX_PORT to another port, 0 for a free one, or SANDBOX=off)`);
    expect(existsSync(dataDir) ? readdirSync(dataDir) : []).toEqual([]);
  });
});

describe('a second recur start on the same data directory', { timeout: 300_000 }, () => {
  it('is told the embedded database is in use (checked before the sandbox takes its port), and the first keeps running', async () => {
    const dataDir = freshDir();
    const first = await startRecur({ cwd: root, env: { RECUR_DATA_DIR: dataDir }, timeoutMs: 150_000 });
    const sandboxPort = new URL(/sandbox providers on (http:\/\/\S+) /.exec(first.stderr())![1]!).port;

    const second = await runRecur(['start'], { cwd: root, env: { RECUR_DATA_DIR: dataDir, PORT: '0', SANDBOX_PORT: sandboxPort, LOG_LEVEL: 'warn' }, timeoutMs: 150_000 });
    expect(expectOneLine(second, EX_TEMPFAIL)).toMatch(new RegExp(`^recur: the embedded database in .+ is in use by \`recur start\` \\(pid ${first.pid},`));
    expect((await fetch(`${first.url}/healthz`)).status).toBe(200);
    expect((await fetch(`http://127.0.0.1:${sandboxPort}/sandbox`)).status).toBe(200);
    expect(await first.stop('SIGTERM')).toEqual({ code: 0, signal: null });
  });
});

describe('recur start cannot use DATABASE_URL', { timeout: 180_000 }, () => {
  const start = (url: string) => runRecur(['start'], { cwd: root, env: { DATABASE_URL: url, PORT: '0', SANDBOX: 'off', LOG_LEVEL: 'warn' }, timeoutMs: 150_000 });

  it('names it when the server refuses the connection, without the password', async () => {
    const line = expectOneLine(await start("postgres://recur:s3cret@127.0.0.1:1/shop"), EX_UNAVAILABLE);
    expect(line).toBe('recur: DATABASE_URL: cannot use PostgreSQL at 127.0.0.1:1/shop: the connection was refused: is the server running on that host and port?');
  });

  it('names it when the host is unknown', async () => {
    const line = expectOneLine(await start('postgres://recur:s3cret@no-such-host.invalid/shop'), EX_UNAVAILABLE);
    expect(line).toMatch(/^recur: DATABASE_URL: cannot use PostgreSQL at no-such-host\.invalid:5432\/shop: its host name (is unknown|could not be looked up)$/);
  });

  describe.runIf(testDatabaseKinds.includes('postgres'))('on a PostgreSQL server', () => {
    let database: TestDatabase;
    beforeAll(async () => {
      database = await openTestDatabase('postgres');
    });
    afterAll(() => database?.dispose());

    it('names it when the server refuses the user', async () => {
      const url = new URL(database.url!);
      url.username = 'no_such_role';
      url.password = 's3cret';
      const line = expectOneLine(await start(url.toString()), EX_UNAVAILABLE);
      expect(line).toMatch(/^recur: DATABASE_URL: cannot use PostgreSQL at .+: (role "no_such_role" does not exist|password authentication failed for user "no_such_role"): check the user/);
      expect(line).not.toContain('s3cret');
    });
  });
});
