/**
 * `npm run bench:apply`: how fast recur's worker applies Stripe webhook events with the Stripe
 * processor on (re-reading each object from the sandbox), on a private database of each engine
 * (PostgreSQL by default), once against the local sandbox and once with latency added to every
 * sandbox request. Prints events
 * applied per second (worker time, until nothing is due) and Stripe requests per applied event,
 * counted at the sandbox.
 *
 * The local run is measured at --local-rate requests a second (default 1000: recur's own cost, the
 * sandbox sets no limit), the run with latency at --rate (default 100, Stripe's live limit).
 *
 *   npm run bench:apply -- [--events 4000] [--subscriptions 200] [--latency 50] [--rate 100] [--local-rate 1000] [--engines postgres,pglite] [--json]
 */
import { parseArgs } from 'node:util';
import { measureApplied, type ApplyMeasure } from './support/measure-applied.ts';

const { values } = parseArgs({
  options: {
    events: { type: 'string', default: '4000' },
    subscriptions: { type: 'string', default: '200' },
    latency: { type: 'string', default: '50' },
    rate: { type: 'string', default: '100' },
    'local-rate': { type: 'string', default: '1000' },
    engines: { type: 'string', default: 'postgres' },
    json: { type: 'boolean', default: false },
  },
});

function whole(name: string, text: string, least: number): number {
  const value = Number(text);
  if (!Number.isInteger(value) || value < least) {
    process.stderr.write(`bench: --${name} must be a whole number of at least ${least}, not "${text}"\n`);
    process.exit(64);
  }
  return value;
}

const events = whole('events', values.events, 1);
const subscriptions = whole('subscriptions', values.subscriptions, 1);
const latency = whole('latency', values.latency, 0);
const rate = whole('rate', values.rate, 1);
const localRate = whole('local-rate', values['local-rate'], 1);
const engines = values.engines.split(',').map((name) => name.trim());
if (engines.length === 0 || engines.some((engine) => engine !== 'postgres' && engine !== 'pglite')) {
  process.stderr.write(`bench: --engines takes postgres and/or pglite, not "${values.engines}"\n`);
  process.exit(64);
}
const adminUrl = process.env.BENCH_DATABASE_URL ?? process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

const rows: ApplyMeasure[] = [];
for (const engine of engines as ('postgres' | 'pglite')[]) {
  rows.push(await measureApplied({ engine, events, subscriptions, latencyMs: 0, requestsPerSecond: localRate, adminUrl }));
  if (latency > 0) rows.push(await measureApplied({ engine, events, subscriptions, latencyMs: latency, requestsPerSecond: rate, adminUrl }));
}

if (values.json) {
  process.stdout.write(`${JSON.stringify(rows, null, 2)}\n`);
} else {
  const lines = [
    `webhook apply: ${events} customer.subscription.updated + invoice.paid events for ${subscriptions} sandbox subscriptions, node ${process.version}`,
    `${'engine'.padEnd(10)}${'latency'.padEnd(9)}${'req/s cap'.padStart(10)}${'applied/s'.padStart(10)}${'seconds'.padStart(9)}${'reads/event'.padStart(12)}  inbox`,
    ...rows.map((row) => `${row.engine.padEnd(10)}${`${row.latencyMs} ms`.padEnd(9)}${String(row.requestsPerSecond).padStart(10)}${row.appliedPerSecond.toFixed(0).padStart(10)}${row.seconds.toFixed(1).padStart(9)}${row.readsPerAppliedEvent.toFixed(2).padStart(12)}  ${JSON.stringify(row.statuses)}`),
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
}
if (rows.some((row) => Object.keys(row.statuses).some((status) => status !== 'processed'))) {
  process.stderr.write('bench: some events were not applied (see the inbox column)\n');
  process.exitCode = 1;
}
