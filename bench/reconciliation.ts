/**
 * `npm run bench:reconciliation`: what one `recur sync stripe` costs against a Stripe sandbox
 * holding N paying subscriptions (default 10,000, each with its customer, invoice, payment and
 * their events), measured twice per database engine:
 *   (a) a first run, recur's database empty (everything missing locally);
 *   (b) a run right after it, nothing drifted.
 * For each: requests the sandbox received (counted by a proxy in front of it), wall time of the
 * command, the run's own time, events recovered and the inbox rows left `received` for the worker.
 *
 * The sandbox is seeded once through its API (the official SDK, in parallel) and its state kept
 * in a file (`--cache`, default in the temp directory); every measurement starts a sandbox from a
 * copy of that file, so each first run sees the same Stripe.
 *
 *   npm run bench:reconciliation -- [--subscriptions 10000] [--engines pglite,postgres] [--cache <file>] [--json]
 */
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer, request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { spawn } from 'node:child_process';
import { parseArgs } from 'node:util';
import pg from 'pg';
import Stripe from 'stripe';
import { PGlite } from '@electric-sql/pglite';
import { defaultCatalogue } from '../src/config/catalogue-schema.ts';
import { settingNames } from '../src/config/settings-schema.ts';
import { createStripeGateway } from '../src/providers/payments/stripe/create-stripe-gateway.ts';
import { syncPlansToProvider } from '../src/services/sync/sync-plans-to-providers.ts';
import { startSandbox, type RunningSandbox } from '../sandbox/core/start-sandbox.ts';
import { StateFile } from '../sandbox/core/state-file.ts';
import { createStripeSandbox } from '../sandbox/stripe/stripe-sandbox.ts';
import { postgresAnswers, scratchDatabase, type Engine } from './support/targets.ts';

const KEY = 'sk_test_recur_sandbox';
const START = new Date('2026-01-01T00:00:00Z');
const repoRoot = fileURLToPath(new URL('../', import.meta.url));

const { values } = parseArgs({
  options: {
    subscriptions: { type: 'string', default: '10000' },
    engines: { type: 'string' },
    cache: { type: 'string' },
    json: { type: 'boolean', default: false },
  },
});
const count = Number(values.subscriptions);
if (!Number.isInteger(count) || count < 1) {
  process.stderr.write(`bench: --subscriptions must be a whole number above 0, not "${values.subscriptions}"\n`);
  process.exit(64);
}
const cache = values.cache ?? join(tmpdir(), 'recur-bench-reconciliation', `stripe-${count}.json`);
const adminUrl = process.env.BENCH_DATABASE_URL ?? process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const engines: Engine[] = values.engines ? (values.engines.split(',').map((name) => name.trim()) as Engine[]) : (await postgresAnswers(adminUrl)) ? ['pglite', 'postgres'] : ['pglite'];

const log = (line: string) => process.stderr.write(`${line}\n`);
const sdk = (sandbox: RunningSandbox) => new Stripe(KEY, { host: '127.0.0.1', port: Number(new URL(sandbox.url).port), protocol: 'http', maxNetworkRetries: 2 });

/** Customers with a card and a monthly subscription each, made through the API, 32 at a time. */
async function seed(): Promise<void> {
  mkdirSync(dirname(cache), { recursive: true });
  // In memory while seeding (a state file would be rewritten whole after every change), saved once at the end.
  const sandbox = await startSandbox({ providers: [createStripeSandbox({})], start: START });
  try {
    const stripe = sdk(sandbox);
    await syncPlansToProvider(createStripeGateway(stripe), defaultCatalogue.plans, 'en');
    const price = (await stripe.prices.list({ lookup_keys: ['recur_monthly'] })).data[0]!;
    const started = performance.now();
    let next = 0;
    const worker = async () => {
      for (let index = next++; index < count; index = next++) {
        const customer = await stripe.customers.create({ email: `bench${index}@example.nl`, payment_method: 'pm_card_visa', invoice_settings: { default_payment_method: 'pm_card_visa' } });
        await stripe.subscriptions.create({ customer: customer.id, items: [{ price: price.id }] });
        if ((index + 1) % 1000 === 0) log(`seeded ${index + 1} subscriptions (${((performance.now() - started) / 1000).toFixed(0)} s)`);
      }
    };
    await Promise.all(Array.from({ length: 32 }, worker));
    new StateFile(cache, sandbox.ctx.clock, sandbox.providers).save();
  } finally {
    await sandbox.stop();
  }
}

/** A sandbox started from a copy of the seeded state, behind a proxy that counts what recur sends it. */
async function startCountedSandbox(): Promise<{ url: string; requests: () => number; reset: () => void; stop: () => Promise<void> }> {
  const dir = mkdtempSync(join(tmpdir(), 'recur-bench-reconciliation-run-'));
  copyFileSync(cache, join(dir, 'state.json'));
  const sandbox = await startSandbox({ providers: [createStripeSandbox({})], start: START, stateFile: join(dir, 'state.json') });
  const target = new URL(sandbox.url);
  let requests = 0;
  const proxy: Server = createServer((incoming, outgoing) => {
    if (incoming.url?.startsWith('/v1/')) requests += 1;
    const forwarded = httpRequest({ host: target.hostname, port: target.port, path: incoming.url, method: incoming.method, headers: incoming.headers }, (answer) => {
      outgoing.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(outgoing);
    });
    forwarded.on('error', () => outgoing.destroy());
    incoming.pipe(forwarded);
  });
  await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`,
    requests: () => requests,
    reset: () => void (requests = 0),
    async stop() {
      await new Promise((resolve) => proxy.close(resolve));
      await sandbox.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** `node bin/recur.js sync stripe` as an operator runs it, only this bench's settings in its environment. */
async function syncStripe(engine: Engine, location: string, apiBase: string): Promise<{ seconds: number; output: string }> {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const name of settingNames) delete env[name];
  Object.assign(env, { STRIPE_SECRET_KEY: KEY, STRIPE_API_BASE: apiBase, LOG_LEVEL: 'silent', ...(engine === 'pglite' ? { RECUR_DATA_DIR: location } : { DATABASE_URL: location }) });
  const started = performance.now();
  const child = spawn(process.execPath, [join(repoRoot, 'bin/recur.js'), 'sync', 'stripe'], { cwd: repoRoot, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  if (code !== 0) throw new Error(`recur sync stripe exited with ${code}:\n${output}`);
  return { seconds: (performance.now() - started) / 1000, output };
}

type Figures = { recovered: number; settled: number; leftForWorker: number; runSeconds: number; runRequests: number };

/** What the run stored, read from recur's database after the command exited. */
async function readFigures(engine: Engine, location: string): Promise<Figures> {
  const sql = `SELECT (SELECT count(*)::int FROM webhook_inbox) AS stored,
                      (SELECT count(*)::int FROM webhook_inbox WHERE status <> 'received') AS settled,
                      (SELECT count(*)::int FROM webhook_inbox WHERE status = 'received') AS left_for_worker,
                      (SELECT extract(epoch FROM finished_at - started_at)::float8 FROM reconciliation_runs ORDER BY started_at DESC LIMIT 1) AS run_seconds,
                      (SELECT requests FROM reconciliation_runs ORDER BY started_at DESC LIMIT 1) AS run_requests`;
  type Row = { stored: number; settled: number; left_for_worker: number; run_seconds: number; run_requests: number };
  let row: Row;
  if (engine === 'pglite') {
    const db = await PGlite.create(join(location, 'pgdata'));
    row = (await db.query<Row>(sql)).rows[0]!;
    await db.close();
  } else {
    const client = new pg.Client({ connectionString: location });
    await client.connect();
    row = (await client.query<Row>(sql)).rows[0]!;
    await client.end();
  }
  return { recovered: row.stored, settled: row.settled, leftForWorker: row.left_for_worker, runSeconds: row.run_seconds, runRequests: row.run_requests };
}

type Result = { engine: Engine; run: 'first' | 'no drift'; requests: number; seconds: number } & Figures;

async function measure(engine: Engine): Promise<Result[]> {
  const sandbox = await startCountedSandbox();
  const database = await scratchDatabase(engine, adminUrl, 'reconcile');
  try {
    const results: Result[] = [];
    let storedBefore = 0;
    for (const run of ['first', 'no drift'] as const) {
      sandbox.reset();
      const { seconds } = await syncStripe(engine, database.location, sandbox.url);
      const figures = await readFigures(engine, database.location);
      results.push({
        engine,
        run,
        requests: sandbox.requests(),
        seconds,
        ...figures,
        // What this run added to the inbox (the other figures are the inbox as the run left it).
        recovered: figures.recovered - storedBefore,
      });
      storedBefore = figures.recovered;
      log(`${engine} ${run}: ${sandbox.requests()} requests, ${seconds.toFixed(1)} s`);
    }
    return results;
  } finally {
    await database.drop();
    await sandbox.stop();
  }
}

if (!existsSync(cache)) {
  log(`seeding ${count} subscriptions into ${cache}`);
  await seed();
}
const results: Result[] = [];
for (const engine of engines) results.push(...(await measure(engine)));

if (values.json) process.stdout.write(`${JSON.stringify({ subscriptions: count, results }, null, 2)}\n`);
else {
  process.stdout.write(`reconciliation of ${count} sandbox subscriptions (recur sync stripe; requests counted at the sandbox)\n\n`);
  process.stdout.write('| engine | run | requests at the sandbox | of them the run\'s | command s | events stored | stored settled | left `received` |\n|---|---|---|---|---|---|---|---|\n');
  for (const result of results) {
    process.stdout.write(
      `| ${result.engine} | ${result.run} | ${result.requests} | ${result.runRequests} | ${result.seconds.toFixed(1)} | ${result.recovered} | ${result.settled} | ${result.leftForWorker} |\n`,
    );
  }
}
