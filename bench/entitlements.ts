/**
 * `npm run bench:entitlements`: the entitlement read a shop makes on every page view, at many
 * subscriptions on PostgreSQL, next to a minimal endpoint doing the same lookup
 * (entitlement-baseline-server.ts) on the same database in the same run. Each server is its own
 * process; this process is the load generator (autocannon), and its CPU is printed beside each
 * figure. With --before <dir> (a checkout of an older recur with its dependencies), that recur is
 * measured too, on the same data: the schema is migrated with its migrations first.
 *
 * The targets take turns, round after round (the data is read into the OS cache first, so the
 * first target does not pay for a cold cache); each ratio is to the minimal endpoint of its round.
 *
 *   npm run bench:entitlements -- [--subscriptions 1000000] [--seconds 10] [--connections 20] [--rounds 2] [--before <dir>] [--database recur_bench_entitlements]
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { openSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
import pg from 'pg';
import { listMigrations, migrate } from '../src/db/migrate.ts';
import { openPostgres } from '../src/db/postgres-database.ts';
import { generateApiKey } from '../src/services/api-keys/api-key-secret.ts';
import { readCpuSeconds } from './support/process-memory.ts';
import { seedSubscriptions } from './support/seed-subscriptions.ts';
import { recurEnvironment, stopper } from './support/targets.ts';
import { adminSql } from './support/admin-sql.ts';

const { values } = parseArgs({
  options: {
    subscriptions: { type: 'string', default: '1000000' },
    seconds: { type: 'string', default: '10' },
    warmup: { type: 'string', default: '3' },
    connections: { type: 'string', default: '20' },
    before: { type: 'string' },
    database: { type: 'string', default: 'recur_bench_entitlements' },
    rounds: { type: 'string', default: '2' },
  },
});
const count = Number(values.subscriptions);
const seconds = Number(values.seconds);
const warmup = Number(values.warmup);
const connections = Number(values.connections);
const rounds = Number(values.rounds);
if (![count, seconds, warmup, connections, rounds].every((value) => Number.isInteger(value) && value > 0) || !/^[a-z_][a-z0-9_]{0,62}$/.test(values.database)) {
  process.stderr.write('bench: --subscriptions, --seconds, --warmup, --connections and --rounds take whole numbers above 0, --database a plain lower-case name\n');
  process.exit(64);
}

const repoRoot = fileURLToPath(new URL('../', import.meta.url));
const adminUrl = process.env.BENCH_DATABASE_URL ?? process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const databaseUrl = (() => {
  const url = new URL(adminUrl);
  url.pathname = `/${values.database}`;
  return url.toString();
})();

async function admin(sql: string): Promise<void> {
  await adminSql(adminUrl, sql);
}

type Server = { url: string; pid: number; stop(): Promise<void> };

function listen(child: ChildProcess, pattern: RegExp, what: string): Promise<Server> {
  return new Promise((resolve, reject) => {
    let output = '';
    const onData = (chunk: Buffer) => {
      output += chunk.toString('utf8');
      const match = pattern.exec(output);
      if (match) resolve({ url: match[1]!, pid: child.pid!, stop: stopper(child, async () => undefined) });
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', (code) => reject(new Error(`${what} exited with ${code} before it listened:\n${output}`)));
  });
}

// recur's log goes nowhere (written, a real cost, not kept) unless BENCH_LOG names a file.
const startRecur = (root: string) => {
  const log = process.env.BENCH_LOG ? openSync(process.env.BENCH_LOG, 'a') : 'ignore';
  const child = spawn(process.execPath, [join(root, 'bin/recur.js'), 'start'], { cwd: root, env: recurEnvironment('postgres', 'whsec_recur_bench_secret', databaseUrl), stdio: ['ignore', log, 'pipe'] });
  return listen(child, /recur is running on (http:\/\/\S+)/, 'recur');
};
const startBaseline = () =>
  listen(spawn(process.execPath, ['--import', 'tsx', join(repoRoot, 'bench/entitlement-baseline-server.ts'), databaseUrl], { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] }), /entitlement baseline listening on (http:\/\/\S+)/, 'the baseline');

type Figures = { round: number; target: string; requestsPerSecond: number; p50Ms: number; p99Ms: number; non2xx: number; serverCpuPercent: number; serverCpuMsPerRequest: number; loadGeneratorCpuPercent: number; load: string };

function runLoad(url: string, auth: string, duration: number): Promise<autocannon.Result> {
  return autocannon({
    url,
    connections,
    duration,
    headers: { authorization: auth },
    requests: [{ setupRequest: (request) => ({ ...request, path: `/v1/customers/shop-${1 + Math.floor(Math.random() * count)}/entitlement` }) }],
  });
}

async function measure(round: number, target: string, server: Server, auth: string): Promise<Figures> {
  try {
    await runLoad(server.url, auth, warmup);
    const [cpuBefore, serverCpuBefore, started] = [process.cpuUsage(), readCpuSeconds(server.pid), performance.now()];
    const result = await runLoad(server.url, auth, seconds);
    if (process.env.BENCH_DEBUG) process.stderr.write(`${target}: ${JSON.stringify(result.statusCodeStats)}\n`);
    const elapsed = (performance.now() - started) / 1000;
    const cpu = process.cpuUsage(cpuBefore);
    return {
      round,
      target,
      requestsPerSecond: Math.round(result.requests.average),
      p50Ms: result.latency.p50,
      p99Ms: result.latency.p99,
      non2xx: result.non2xx + result.errors,
      serverCpuPercent: Math.round(((readCpuSeconds(server.pid) - serverCpuBefore) / elapsed) * 100),
      // Moves less than req/s when other work shares the machine.
      serverCpuMsPerRequest: Math.round(((readCpuSeconds(server.pid) - serverCpuBefore) * 1000 * 100) / Math.max(1, result.requests.average * elapsed)) / 100,
      loadGeneratorCpuPercent: Math.round(((cpu.user + cpu.system) / 1e6 / elapsed) * 100),
      load: loadavg().map((value) => value.toFixed(2)).join(' '),
    };
  } finally {
    await server.stop();
  }
}

await admin(`DROP DATABASE IF EXISTS ${values.database} WITH (FORCE)`);
await admin(`CREATE DATABASE ${values.database}`);
try {
  const db = openPostgres(databaseUrl, { maxConnections: 1 });
  const now = new Date();
  await migrate(db, now, values.before ? listMigrations(join(values.before, 'src/db/migrations/')) : listMigrations());
  const key = generateApiKey();
  await db.query('INSERT INTO api_keys (name, key_hash, key_prefix, created_at) VALUES ($1, $2, $3, $4)', ['bench', key.keyHash, key.keyPrefix, now]);
  await db.close();
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  const seeding = performance.now();
  await seedSubscriptions(client, now, count);
  // Into the OS cache, when the server has pg_prewarm: every target then starts from the same cache.
  await client
    .query(`CREATE EXTENSION IF NOT EXISTS pg_prewarm`)
    .then(() => client.query(`SELECT pg_prewarm(name, 'read') FROM unnest(ARRAY['customers', 'subscriptions', 'customers_external_id_key', 'subscriptions_customer_idx']) AS name`))
    .catch(() => process.stdout.write('pg_prewarm is not available: the first target reads a cold cache\n'));
  await client.end();
  process.stdout.write(`seeded ${count} subscriptions in ${((performance.now() - seeding) / 1000).toFixed(1)} s\n`);

  const auth = `Bearer ${key.key}`;
  const rows: Figures[] = [];
  for (let round = 1; round <= rounds; round += 1) {
    rows.push(await measure(round, 'minimal endpoint', await startBaseline(), auth));
    // The older recur runs only on the schema it knows: in the first round, before this one migrates it.
    if (values.before && round === 1) rows.push(await measure(round, 'recur (before)', await startRecur(values.before), auth));
    rows.push(await measure(round, 'recur', await startRecur(repoRoot), auth));
  }
  const floorOf = (round: number) => rows.find((row) => row.round === round && row.target === 'minimal endpoint')!.requestsPerSecond;
  console.table(rows.map((row) => ({ ...row, ratio: Math.round((row.requestsPerSecond / floorOf(row.round)) * 100) / 100 })));
  process.stdout.write(`${JSON.stringify({ subscriptions: count, seconds, connections, rows })}\n`);
} finally {
  await admin(`DROP DATABASE IF EXISTS ${values.database} WITH (FORCE)`);
}
