import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { settingNames } from '../../src/config/settings-schema.ts';

export type Engine = 'pglite' | 'postgres';
/**
 * `pid` is the server's process, whose CPU the bench reports beside its figures. `paypalSigner`:
 * the target takes PayPal's deliveries, signed with the key in that file (else Stripe's).
 */
export type Target = { name: string; url: string; pid: number | undefined; paypalSigner?: string; stop(): Promise<void> };

/** PayPal's signing side of a run (bench/support/paypal-signing.ts): where recur fetches the certificate, what it trusts. */
export type PaypalBench = { webhookId: string; apiBase: string; rootCaFile: string; certificateFile: string; signerFile: string };

/** Which checkout's `recur start` to run: this one, or another (`--recur-root`, to measure before a change in the same run). */
export type RecurLaunch = { root: string };
export const thisCheckout: RecurLaunch = { root: fileURLToPath(new URL('../../', import.meta.url)) };

const repoRoot = fileURLToPath(new URL('../../', import.meta.url));

/** Waits for the line naming the URL on the child's output; fails with the output if it exits. */
export function urlFrom(child: ChildProcess, pattern: RegExp, what: string): Promise<string> {
  return new Promise((resolve, reject) => {
    let output = '';
    const onData = (chunk: Buffer) => {
      output += chunk.toString('utf8');
      const match = pattern.exec(output);
      if (match) resolve(match[1]!);
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', (code) => reject(new Error(`${what} exited with ${code} before it listened:\n${output}`)));
  });
}

export function stopper(child: ChildProcess, cleanup: () => Promise<void>): () => Promise<void> {
  return async () => {
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    }
    await cleanup();
  };
}

/** A scratch database: a temporary directory for PGlite, a new database on the server for PostgreSQL. */
export async function scratchDatabase(engine: Engine, adminUrl: string, label: string): Promise<{ location: string; drop(): Promise<void> }> {
  if (engine === 'pglite') {
    const dir = mkdtempSync(join(tmpdir(), `recur-bench-${label}-`));
    return { location: dir, drop: async () => rmSync(dir, { recursive: true, force: true }) };
  }
  const name = `${process.env.BENCH_DATABASE_PREFIX ?? 'recur_bench'}_${process.pid}_${label}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return {
    location: url.toString(),
    async drop() {
      const client = new pg.Client({ connectionString: adminUrl });
      await client.connect();
      await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await client.end();
    },
  };
}

/**
 * The environment of `recur start` with only webhooks configured (the sandbox off) on a scratch
 * database: the operator's settings of this shell are removed, so they cannot skew a figure.
 */
export function recurEnvironment(engine: Engine, secret: string, location: string, paypal?: PaypalBench): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const name of settingNames) delete env[name];
  Object.assign(env, {
    PORT: '0',
    HOST: '127.0.0.1',
    SANDBOX: 'off',
    STRIPE_WEBHOOK_SECRET: secret,
    // Required beside a provider's settings (it signs customers' links).
    LINK_SIGNING_SECRET: 'the bench link-signing key, 32+ characters long',
    // The limiter stays in the path (its cost is part of recur's), far above the bench's rate.
    WEBHOOK_RATE_LIMIT_PER_MINUTE: '1000000',
    // The same for each API key on /v1: the entitlement bench sends thousands a second with one key.
    API_RATE_LIMIT_PER_SECOND: '1000000',
    API_RATE_LIMIT_BURST: '1000000',
    ...(engine === 'pglite' ? { RECUR_DATA_DIR: location } : { DATABASE_URL: location }),
    // PayPal verified offline, its certificate fetched once from the bench's loopback host and kept.
    ...(paypal
      ? {
          PAYPAL_CLIENT_ID: 'BenchClientId0000',
          PAYPAL_CLIENT_SECRET: 'BenchClientSecret0000',
          PAYPAL_WEBHOOK_ID: paypal.webhookId,
          PAYPAL_MODE: 'sandbox',
          PAYPAL_API_BASE: paypal.apiBase,
          PAYPAL_SANDBOX_ROOT_CA_FILE: paypal.rootCaFile,
        }
      : {}),
  });
  return env;
}

/** The Node flags of bin/recur.js's first line (`#!/usr/bin/env -S node <flags>`): what `recur` runs with. */
function nodeFlagsOf(launch: RecurLaunch): string[] {
  const shebang = readFileSync(join(launch.root, 'bin/recur.js'), 'utf8').split('\n', 1)[0]!;
  return /^#!\/usr\/bin\/env -S node (.+)$/.exec(shebang)?.[1]?.trim().split(/\s+/) ?? [];
}

/** `recur start` as an operator runs it (bin/recur.js with its flags); `url` resolves with the URL of its banner. */
export function launchRecur(env: NodeJS.ProcessEnv, launch: RecurLaunch = thisCheckout): { child: ChildProcess; url: Promise<string> } {
  // Logs at the default level go to /dev/null: they are written (a real cost), not collected.
  const child = spawn(process.execPath, [...nodeFlagsOf(launch), join(launch.root, 'bin/recur.js'), 'start'], { cwd: launch.root, env, stdio: ['ignore', 'ignore', 'pipe'] });
  return { child, url: urlFrom(child, /recur is running on (http:\/\/\S+)/, 'recur') };
}

/** recur itself, as an operator runs it (`node bin/recur.js start`), with only webhooks configured; with `paypal`, loaded with PayPal's deliveries. */
export async function startRecur(engine: Engine, secret: string, adminUrl: string, launch: RecurLaunch = thisCheckout, name = 'recur', paypal?: PaypalBench): Promise<Target> {
  const database = await scratchDatabase(engine, adminUrl, name.replace(/\W/g, '_'));
  const { child, url: banner } = launchRecur(recurEnvironment(engine, secret, database.location, paypal), launch);
  const url = await banner;
  return { name, url: `${url}/webhooks/${paypal ? 'paypal' : 'stripe'}`, pid: child.pid, ...(paypal ? { paypalSigner: paypal.signerFile } : {}), stop: stopper(child, database.drop) };
}

/** The minimal receiver of baseline-server.ts on the same engine; with `paypal`, its PayPal route is loaded. */
export async function startBaseline(engine: Engine, secret: string, adminUrl: string, paypal?: PaypalBench, name = 'floor'): Promise<Target> {
  const database = await scratchDatabase(engine, adminUrl, name.replace(/\W/g, '_'));
  const args = [secret, engine, database.location, ...(paypal ? [paypal.certificateFile, paypal.webhookId] : [])];
  const child = spawn(process.execPath, ['--import', 'tsx', join(repoRoot, 'bench/baseline-server.ts'), ...args], { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] });
  const url = await urlFrom(child, /baseline listening on (http:\/\/\S+)/, 'the baseline');
  return { name, url: `${url}/webhooks/${paypal ? 'paypal' : 'stripe'}`, pid: child.pid, ...(paypal ? { paypalSigner: paypal.signerFile } : {}), stop: stopper(child, database.drop) };
}

export async function postgresAnswers(url: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3000 });
  try {
    await client.connect();
    await client.end();
    return true;
  } catch {
    return false;
  }
}
