/**
 * `npm run bench:webhooks`: how fast recur acknowledges signed Stripe webhooks, next to a
 * baseline measured in the same run (a minimal Fastify receiver that verifies the signature and
 * inserts one row), on PGlite and on PostgreSQL. Prints events/s and p50/p99 acknowledgement
 * latency per target and recur's ratio to the baseline. Figures vary by machine: compare the
 * ratios, not the absolute numbers.
 *
 *   npm run bench:webhooks -- [--events 2000] [--concurrency 16] [--warmup 200] [--engines pglite,postgres] [--json]
 */
import { parseArgs } from 'node:util';
import { signedInvoiceEvents } from './support/signed-events.ts';
import { sendLoad, type LoadResult } from './support/send-load.ts';
import { postgresAnswers, startBaseline, startRecur, type Engine, type Target } from './support/targets.ts';

const SECRET = 'whsec_recur_bench_secret';

const { values } = parseArgs({
  options: {
    events: { type: 'string', default: '2000' },
    concurrency: { type: 'string', default: '16' },
    warmup: { type: 'string', default: '200' },
    engines: { type: 'string' },
    json: { type: 'boolean', default: false },
  },
});

function positive(name: string, text: string): number {
  const value = Number(text);
  if (!Number.isInteger(value) || value < 1) {
    process.stderr.write(`bench: --${name} must be a whole number above 0, not "${text}"\n`);
    process.exit(64);
  }
  return value;
}

const events = positive('events', values.events);
const concurrency = positive('concurrency', values.concurrency);
const warmup = positive('warmup', values.warmup);
const postgresUrl = process.env.BENCH_DATABASE_URL ?? process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

let engines: Engine[];
if (values.engines) {
  engines = values.engines.split(',').map((name) => name.trim()) as Engine[];
  const unknown = engines.filter((engine) => engine !== 'pglite' && engine !== 'postgres');
  if (unknown.length > 0) {
    process.stderr.write(`bench: --engines takes pglite and/or postgres, not ${unknown.join(', ')}\n`);
    process.exit(64);
  }
} else {
  engines = (await postgresAnswers(postgresUrl)) ? ['pglite', 'postgres'] : ['pglite'];
}

type Row = { engine: Engine; target: string } & LoadResult;
const rows: Row[] = [];

async function measure(engine: Engine, start: () => Promise<Target>, label: string): Promise<void> {
  const target = await start();
  try {
    await sendLoad(target.url, signedInvoiceEvents(warmup, SECRET, `${engine}_${label}_warm`), concurrency);
    const result = await sendLoad(target.url, signedInvoiceEvents(events, SECRET, `${engine}_${label}`), concurrency);
    rows.push({ engine, target: target.name, ...result });
  } finally {
    await target.stop();
  }
}

for (const engine of engines) {
  await measure(engine, () => startBaseline(engine, SECRET, postgresUrl), 'baseline');
  await measure(engine, () => startRecur(engine, SECRET, postgresUrl), 'recur');
}

if (values.json) {
  process.stdout.write(`${JSON.stringify({ events, concurrency, warmup, rows }, null, 2)}\n`);
} else {
  const fixed = (value: number, digits: number) => value.toFixed(digits).padStart(9);
  const lines = [
    `webhook acknowledgement: ${events} signed invoice.paid events (after ${warmup} warm-up), ${concurrency} in flight, node ${process.version}`,
    `${'engine'.padEnd(9)}${'target'.padEnd(10)}${'events/s'.padStart(9)}${'p50 ms'.padStart(9)}${'p99 ms'.padStart(9)}  non-200`,
    ...rows.map((row) => `${row.engine.padEnd(9)}${row.target.padEnd(10)}${fixed(row.eventsPerSecond, 0)}${fixed(row.p50Ms, 2)}${fixed(row.p99Ms, 2)}  ${row.failures}`),
  ];
  for (const engine of engines) {
    const baseline = rows.find((row) => row.engine === engine && row.target === 'baseline')!;
    const recur = rows.find((row) => row.engine === engine && row.target === 'recur')!;
    lines.push(
      `${engine}: recur reaches ${((recur.eventsPerSecond / baseline.eventsPerSecond) * 100).toFixed(0)}% of the baseline's events/s; p50 ×${(recur.p50Ms / baseline.p50Ms).toFixed(2)}, p99 ×${(recur.p99Ms / baseline.p99Ms).toFixed(2)}`,
    );
  }
  process.stdout.write(`${lines.join('\n')}\n`);
}
if (rows.some((row) => row.failures > 0)) {
  process.stderr.write(`bench: some events were not acknowledged with 200: ${rows.map((row) => `${row.engine}/${row.target} ${JSON.stringify(row.statuses)}`).join(', ')}\n`);
  process.exitCode = 1;
}
