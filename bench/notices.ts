/**
 * `npm run bench:notices`: one `schedule-notices` pass over many subscriptions on PostgreSQL.
 * Seeds a private database with INSERT ... SELECT generate_series (88% active, a quarter of them
 * yearly, trials, past-due and cancelled ones), then runs the pass twice: the first one writes
 * every notice that is due, the second (five minutes later) is the steady state `recur start`
 * repeats every five minutes. Prints each pass's time, the RSS and heap it added, and the longest
 * event-loop stall while it ran. Absolute times vary with the machine's load: note it.
 *
 * --keep leaves the database; --reuse runs only steady-state passes on a database kept before
 * (migrated to this recur first), skipping the seeding and the long first pass.
 *
 *   npm run bench:notices -- [--subscriptions 1000000] [--database recur_bench_notices] [--keep] [--reuse]
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { defaultCatalogue } from '../src/config/catalogue-schema.ts';
import { settingsSchema } from '../src/config/settings-schema.ts';
import { migrate } from '../src/db/migrate.ts';
import { openPostgres } from '../src/db/postgres-database.ts';
import { scheduleDueNotices } from '../src/notifications/schedule-due-notices.ts';
import type { ServiceContext } from '../src/services/service-context.ts';
import { ManualClock } from '../src/shared/clock.ts';
import { seedSubscriptions } from './support/seed-subscriptions.ts';
import { adminSql } from './support/admin-sql.ts';

const { values } = parseArgs({
  options: { subscriptions: { type: 'string', default: '1000000' }, database: { type: 'string', default: 'recur_bench_notices' }, keep: { type: 'boolean', default: false }, reuse: { type: 'boolean', default: false } },
});
const count = Number(values.subscriptions);
if (!Number.isInteger(count) || count < 1000) {
  process.stderr.write(`bench: --subscriptions must be a whole number of at least 1000, not "${values.subscriptions}"\n`);
  process.exit(64);
}

const adminUrl = process.env.BENCH_DATABASE_URL ?? process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const NAME = values.database;
if (!/^[a-z_][a-z0-9_]{0,62}$/.test(NAME)) {
  process.stderr.write(`bench: --database must be a plain lower-case name, not "${NAME}"\n`);
  process.exit(64);
}
const NOW = new Date('2026-06-01T10:00:00Z');

async function admin(sql: string): Promise<void> {
  await adminSql(adminUrl, sql);
}

const databaseUrl = (() => {
  const url = new URL(adminUrl);
  url.pathname = `/${NAME}`;
  return url.toString();
})();

type PassFigures = { label: string; seconds: number; written: number; rssDeltaMb: number; peakRssDeltaMb: number; heapDeltaMb: number; maxLoopDelayMs: number; load: string };

async function measurePass(ctx: ServiceContext, label: string, now: Date): Promise<PassFigures> {
  globalThis.gc?.();
  const before = process.memoryUsage();
  let peakRss = before.rss;
  const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 20);
  const loop = monitorEventLoopDelay({ resolution: 10 });
  loop.enable();
  const started = performance.now();
  const { written } = await scheduleDueNotices(ctx, now);
  const seconds = (performance.now() - started) / 1000;
  loop.disable();
  clearInterval(sampler);
  const after = process.memoryUsage();
  peakRss = Math.max(peakRss, after.rss);
  const mb = (bytes: number) => Math.round((bytes / 1024 / 1024) * 10) / 10;
  return {
    label,
    seconds: Math.round(seconds * 1000) / 1000,
    written,
    rssDeltaMb: mb(after.rss - before.rss),
    peakRssDeltaMb: mb(peakRss - before.rss),
    heapDeltaMb: mb(after.heapUsed - before.heapUsed),
    maxLoopDelayMs: Math.round(loop.max / 1e5) / 10,
    load: loadavg().map((value) => value.toFixed(2)).join(' '),
  };
}

if (!values.reuse) {
  await admin(`DROP DATABASE IF EXISTS ${NAME} WITH (FORCE)`);
  await admin(`CREATE DATABASE ${NAME}`);
}
const db = openPostgres(databaseUrl);
try {
  await migrate(db, NOW);
  const ctx: ServiceContext = { db, clock: new ManualClock(NOW), config: { ...settingsSchema.parse({}), catalogue: defaultCatalogue, DEFAULT_LOCALE: 'nl' } };
  const later = (minutes: number) => new Date(NOW.getTime() + minutes * 60_000);
  if (values.reuse) {
    await db.exec('VACUUM ANALYZE');
    const passes = [await measurePass(ctx, 'steady state (10 min later)', later(10)), await measurePass(ctx, 'steady state (15 min later)', later(15))];
    console.table(passes);
    process.stdout.write(`${JSON.stringify({ reused: NAME, passes })}\n`);
    await db.close();
    process.exit(0);
  }
  const seeding = performance.now();
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  await seedSubscriptions(client, NOW, count);
  await client.end();
  process.stdout.write(`seeded ${count} subscriptions in ${((performance.now() - seeding) / 1000).toFixed(1)} s\n`);

  const passes = [await measurePass(ctx, 'first pass', NOW), await measurePass(ctx, 'steady state (5 min later)', later(5))];
  console.table(passes);
  process.stdout.write(`${JSON.stringify({ subscriptions: count, passes })}\n`);
} finally {
  await db.close();
  if (!values.keep && !values.reuse) await admin(`DROP DATABASE IF EXISTS ${NAME} WITH (FORCE)`);
}
