import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { latestMigrationVersion } from '../../src/db/migrate.ts';
import { killSpawnedProcesses, runRecur, startRecur, type RunningRecur } from '../fixtures/recur-process.ts';
import { openTestDatabase, testDatabaseKinds, type TestDatabase } from '../support/test-database.ts';

const API_KEY = /^rk_[A-Za-z0-9_-]{43}$/;

async function request(server: RunningRecur, path: string, init: { key?: string; body?: unknown } = {}) {
  const response = await fetch(`${server.url}${path}`, {
    method: init.body === undefined ? 'GET' : 'POST',
    headers: {
      ...(init.key ? { authorization: `Bearer ${init.key}` } : {}),
      ...(init.body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

async function createKey(cwd: string, env: Record<string, string>, name: string): Promise<string> {
  const created = await runRecur(['keys', 'create', '--name', name], { cwd, env });
  expect(created.code, created.stderr).toBe(0);
  expect(created.stderr).toContain(`("${name}")`);
  const key = created.stdout.trim();
  expect(key).toMatch(API_KEY);
  return key;
}

function lockHolder(dataDir: string): { pid: number; command: string } | null {
  const path = join(dataDir, 'recur.lock');
  return existsSync(path) ? (JSON.parse(readFileSync(path, 'utf8')) as { pid: number; command: string }) : null;
}

const anna = { external_id: 'shop-1001', email: 'anna@example.nl', name: 'Anna de Vries', locale: 'nl' };
const bram = { external_id: 'shop-1002', email: 'bram@example.nl', locale: 'en' };

// One data directory through a service's life: a key made before the first start, a second
// process refused while the service runs, a clean stop, a restart, a crash and a takeover. Each
// step starts from where the one before left the directory, as an operator's would.
describe('recur start on the embedded database', { timeout: 120_000 }, () => {
  let dataDir: string;
  let server: RunningRecur;
  let key: string;
  let annaAsCreated: Record<string, unknown>;
  const env = () => ({ RECUR_DATA_DIR: dataDir });

  beforeAll(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'recur-start-'));
  });
  afterAll(async () => {
    await killSpawnedProcesses();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('serves health, readiness and the plans to a key created before it started', async () => {
    key = await createKey(dataDir, env(), 'x');
    expect(lockHolder(dataDir)).toBeNull();

    server = await startRecur({ cwd: dataDir, env: env() });
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:[1-9]\d*$/);
    expect(server.stderr()).toContain(`embedded PostgreSQL (PGlite) in ${join(dataDir, 'pgdata')}`);
    expect(lockHolder(dataDir)).toMatchObject({ pid: server.pid, command: 'start' });

    expect(await request(server, '/healthz')).toEqual({ status: 200, body: { status: 'ok' } });
    expect(await request(server, '/readyz')).toEqual({ status: 200, body: { status: 'ready', schema_version: latestMigrationVersion() } });

    const plans = await request(server, '/v1/plans', { key });
    expect(plans.status).toBe(200);
    expect((plans.body.data as { id: string; price: unknown }[]).map(({ id, price }) => ({ id, price }))).toEqual([
      { id: 'monthly', price: { amount_minor: 2999, currency: 'EUR' } },
      { id: 'yearly', price: { amount_minor: 29990, currency: 'EUR' } },
    ]);
    expect((await request(server, '/v1/plans')).status).toBe(401);
    expect((await request(server, '/v1/plans', { key: key.slice(0, -1) + (key.endsWith('A') ? 'B' : 'A') })).status).toBe(401);

    const created = await request(server, '/v1/customers', { key, body: anna });
    expect(created.status).toBe(201);
    annaAsCreated = created.body;
  });

  it('refuses a second process on the directory with one line, and keeps serving', async () => {
    // `migrate` is not run through the service (keys and the other data commands are: cli-beside-service.test.ts).
    const second = await runRecur(['migrate'], { cwd: dataDir, env: env() });
    expect(second.code).toBe(75);
    expect(second.stdout).toBe('');
    const lines = second.stderr.trimEnd().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(new RegExp(`^recur: the embedded database in .+ is in use by \`recur start\` \\(pid ${server.pid},`));
    // The refused process neither took nor removed the running service's lock.
    expect(lockHolder(dataDir)).toMatchObject({ pid: server.pid });

    expect(await request(server, '/healthz')).toEqual({ status: 200, body: { status: 'ok' } });
    expect((await request(server, '/v1/customers/shop-1001', { key })).body).toEqual(annaAsCreated);
  });

  it('stops on SIGINT with exit code 0 and releases the directory', async () => {
    const { url } = server;
    expect(await server.stop('SIGINT')).toEqual({ code: 0, signal: null });
    expect(server.stderr()).toMatch(/\nrecur stopped\.\n$/);
    expect(lockHolder(dataDir)).toBeNull();
    await expect(fetch(`${url}/healthz`)).rejects.toThrow();
  });

  it('keeps keys and customers across a restart', async () => {
    server = await startRecur({ cwd: dataDir, env: env() });
    expect((await request(server, '/v1/plans', { key })).status).toBe(200);
    expect(await request(server, '/v1/customers/shop-1001', { key })).toEqual({ status: 200, body: annaAsCreated });
    expect((await request(server, '/v1/customers', { key, body: bram })).status).toBe(201);
  });

  it('takes over the stale lock of a killed process, with the data it committed', async () => {
    const killed = server.pid;
    expect(await server.stop('SIGKILL')).toEqual({ code: null, signal: 'SIGKILL' });
    expect(lockHolder(dataDir)).toMatchObject({ pid: killed, command: 'start' });

    server = await startRecur({ cwd: dataDir, env: env() });
    expect(lockHolder(dataDir)).toMatchObject({ pid: server.pid, command: 'start' });
    expect(await request(server, '/readyz')).toEqual({ status: 200, body: { status: 'ready', schema_version: latestMigrationVersion() } });
    expect(await request(server, '/v1/customers/shop-1001', { key })).toEqual({ status: 200, body: annaAsCreated });
    expect(await request(server, '/v1/customers/shop-1002', { key })).toMatchObject({ status: 200, body: { email: 'bram@example.nl' } });

    expect(await server.stop('SIGTERM')).toEqual({ code: 0, signal: null });
    expect(lockHolder(dataDir)).toBeNull();
  });
});

// The embedded database admits one process; PostgreSQL is how the CLI runs beside the service.
describe.runIf(testDatabaseKinds.includes('postgres'))('recur start on PostgreSQL', { timeout: 120_000 }, () => {
  let database: TestDatabase;
  let workDir: string;

  beforeAll(async () => {
    database = await openTestDatabase('postgres');
    workDir = mkdtempSync(join(tmpdir(), 'recur-start-pg-'));
  });
  afterAll(async () => {
    await killSpawnedProcesses();
    await database?.dispose();
    rmSync(workDir, { recursive: true, force: true });
  });

  it('lets `recur keys create` run beside it, and the new key works at once', async () => {
    const env = { DATABASE_URL: database.url!, RECUR_DATA_DIR: join(workDir, 'unused') };
    const server = await startRecur({ cwd: workDir, env });
    const { hostname, port, pathname } = new URL(database.url!);
    expect(server.stderr()).toContain(`database   PostgreSQL at ${hostname}:${port || '5432'}${pathname}\n`);

    const key = await createKey(workDir, env, 'beside the service');
    expect((await request(server, '/v1/plans', { key })).status).toBe(200);
    // No embedded database beside PostgreSQL (the directory keeps only the sandbox's state).
    expect(existsSync(join(workDir, 'unused', 'pgdata'))).toBe(false);

    const exit = await server.stop('SIGTERM');
    expect(exit, `the server's output:\n${server.stderr()}\n${server.stdout()}`).toEqual({ code: 0, signal: null });
    expect(server.stderr()).toMatch(/\nrecur stopped\.\n$/);
  });
});
