import { existsSync, lstatSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listAuditEntries } from '../../src/db/repositories/audit-log-repository.ts';
import { databaseTarget, openDatabase } from '../../src/db/open-database.ts';
import { killSpawnedProcesses, runRecur, startRecur, type RecurRun, type RunningRecur } from '../fixtures/recur-process.ts';

const API_KEY = /^rk_[A-Za-z0-9_-]{43}$/;
const KEY_LINE = /^([0-9a-f-]{36}) {2}(rk_\S{6})… {2}(?:read |admin) {2}(.+?) {2}created (\S+) {2}(last used \S+|revoked \S+)$/;

type KeyLine = { id: string; prefix: string; name: string; state: string };

// A new user's first steps on the embedded database (README): `npm start` in one terminal, the
// CLI in another. The running service owns the directory; the CLI reaches it through
// <RECUR_DATA_DIR>/recur.sock, and opens the database itself when no service runs.
describe('the CLI beside a running `recur start` on the embedded database', { timeout: 300_000 }, () => {
  let root: string;
  let dataDir: string;
  let socket: string;
  let server: RunningRecur;
  let firstKey: { id: string; key: string };
  let besideKey: { id: string; key: string };
  const env = () => ({ RECUR_DATA_DIR: dataDir });
  const recur = (args: string[]) => runRecur(args, { cwd: root, env: env(), timeoutMs: 90_000 });

  beforeAll(() => {
    root = mkdtempSync(join(tmpdir(), 'recur-beside-'));
    dataDir = join(root, 'data');
    socket = join(dataDir, 'recur.sock');
  });
  afterAll(async () => {
    await killSpawnedProcesses();
    rmSync(root, { recursive: true, force: true });
  });

  async function createKey(name: string): Promise<{ id: string; key: string }> {
    const run = await recur(['keys', 'create', '--name', name]);
    expect(run.code, run.stderr).toBe(0);
    const key = run.stdout.trim();
    expect(key).toMatch(API_KEY);
    const id = new RegExp(`^created API key ([0-9a-f-]{36}) \\("${name}"\\)\\. It is shown only now; store it as a secret\\.\\n$`).exec(run.stderr)?.[1];
    expect(id, run.stderr).toBeDefined();
    return { id: id!, key };
  }

  async function listKeys(): Promise<KeyLine[]> {
    const run = await recur(['keys', 'list']);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toBe('');
    return run.stdout
      .trimEnd()
      .split('\n')
      .map((line) => {
        const match = KEY_LINE.exec(line);
        expect(match, line).not.toBeNull();
        return { id: match![1]!, prefix: match![2]!, name: match![3]!, state: match![5]! };
      });
  }

  const plansWith = async (key: string) => (await fetch(`${server.url}/v1/plans`, { headers: { authorization: `Bearer ${key}` } })).status;
  const lockHolder = () => JSON.parse(readFileSync(join(dataDir, 'recur.lock'), 'utf8')) as { pid: number; command: string };

  function expectOneLine(run: RecurRun, code: number): string {
    expect(run.code, run.stderr).toBe(code);
    expect(run.stdout).toBe('');
    const lines = run.stderr.trimEnd().split('\n');
    expect(lines).toHaveLength(1);
    return lines[0]!;
  }

  it('opens the database itself when no service runs', async () => {
    firstKey = await createKey('before start');
    expect(existsSync(socket)).toBe(false);
    expect(existsSync(join(dataDir, 'recur.lock'))).toBe(false);
    expect((await listKeys()).map(({ id, name }) => ({ id, name }))).toEqual([{ id: firstKey.id, name: 'before start' }]);
  });

  it('listens on a socket only its own user can open: 0600, in a 0700 data directory', async () => {
    server = await startRecur({ cwd: root, env: env() });
    const stat = lstatSync(socket);
    expect(stat.isSocket()).toBe(true);
    expect(stat.mode & 0o777).toBe(0o600);
    expect(stat.uid).toBe(process.getuid!());
    expect(statSync(dataDir).mode & 0o777).toBe(0o700);
  });

  it('creates a key beside it, which works on /v1 at once', async () => {
    besideKey = await createKey('beside the service');
    expect(lockHolder()).toMatchObject({ pid: server.pid, command: 'start' });
    expect(await plansWith(besideKey.key)).toBe(200);
    expect(await plansWith(firstKey.key)).toBe(200);
  });

  it('lists the keys beside it, newest first, never the keys themselves', async () => {
    const keys = await listKeys();
    expect(keys.map(({ id, name }) => ({ id, name }))).toEqual([
      { id: besideKey.id, name: 'beside the service' },
      { id: firstKey.id, name: 'before start' },
    ]);
    expect(keys[0]!.prefix).toBe(besideKey.key.slice(0, 9));
    // The request above used the key: the service's own record says so.
    expect(keys[0]!.state).toMatch(/^last used 20\d\d-/);
  });

  it('revokes a key beside it: the key fails at once, and a second revoke fails with one line', async () => {
    const revoked = await recur(['keys', 'revoke', firstKey.id]);
    expect([revoked.code, revoked.stdout, revoked.stderr]).toEqual([0, `revoked ${firstKey.id}\n`, '']);
    expect(await plansWith(firstKey.key)).toBe(401);
    expect(await plansWith(besideKey.key)).toBe(200);
    expect((await listKeys()).find(({ id }) => id === firstKey.id)!.state).toMatch(/^revoked 20\d\d-/);

    expect(expectOneLine(await recur(['keys', 'revoke', firstKey.id]), 1)).toBe(`recur: no active API key with id ${firstKey.id}`);
  });

  it("runs events, notices deliver and sync stripe in the service, with the service's providers (its sandbox)", async () => {
    const events = await recur(['events', 'list']);
    expect([events.code, events.stderr]).toEqual([0, '']);
    expect(expectOneLine(await recur(['events', 'replay', 'evt_unknown']), 66)).toBe('recur: webhook event "evt_unknown" does not exist');

    // The CLI's own environment has no provider keys; the key-less service has the sandbox's.
    const deliver = await recur(['notices', 'deliver']);
    expect([deliver.code, deliver.stderr]).toEqual([0, '']);
    expect(deliver.stdout).toMatch(/^(nothing was due|(\w[\w-]* \d+)(, \w[\w-]* \d+)*)\n$/);

    const sync = await recur(['sync', 'stripe']);
    expect(sync.code, sync.stderr).toBe(0);
    expect(sync.stdout).toMatch(/^reconciliation run [0-9a-f-]{36} succeeded: \d+ requests to Stripe\n/);
    expect(sync.stderr.trim().split('\n').map((line) => line.split(':')[0])).toEqual(['subscriptions', 'events']);
  });

  it('still refuses `migrate` while the service runs', async () => {
    const line = expectOneLine(await recur(['migrate']), 75);
    expect(line).toMatch(new RegExp(`^recur: the embedded database in .+ is in use by \`recur start\` \\(pid ${server.pid},`));
    expect(lockHolder()).toMatchObject({ pid: server.pid });
  });

  it('removes the socket when it stops; the CLI then works directly, and the audit log names the CLI', async () => {
    expect(await server.stop('SIGINT')).toEqual({ code: 0, signal: null });
    expect(existsSync(socket)).toBe(false);
    expect((await listKeys()).map(({ id }) => id)).toEqual([besideKey.id, firstKey.id]);

    const db = await openDatabase(databaseTarget(env()));
    try {
      expect((await listAuditEntries(db, 'api_key', besideKey.id)).map(({ actor, action }) => ({ actor, action }))).toEqual([{ actor: 'cli', action: 'create' }]);
      expect((await listAuditEntries(db, 'api_key', firstKey.id)).map(({ actor, action }) => ({ actor, action }))).toEqual([
        { actor: 'cli', action: 'create' },
        { actor: 'cli', action: 'revoke' },
      ]);
    } finally {
      await db.close();
    }
  });

  it('gets past the socket a killed service left behind, and the next start replaces it', async () => {
    server = await startRecur({ cwd: root, env: env() });
    expect(await server.stop('SIGKILL')).toEqual({ code: null, signal: 'SIGKILL' });
    expect(lstatSync(socket).isSocket()).toBe(true);
    // Nobody answers on it: the CLI takes over the dead process's lock and opens the database.
    expect(await listKeys()).toHaveLength(2);

    server = await startRecur({ cwd: root, env: env() });
    const third = await createKey('after a crash');
    expect(await plansWith(third.key)).toBe(200);
    expect(await server.stop('SIGTERM')).toEqual({ code: 0, signal: null });
    expect(existsSync(socket)).toBe(false);
  });
});
