/**
 * `npm run bench:outgoing`: how fast recur delivers its events to the shop's webhook endpoints,
 * and what an endpoint adds to each incoming webhook, on PGlite and on PostgreSQL. Figures vary
 * by machine and by what else runs on it: compare the ratios within one run.
 *
 * 1. Delivery: --events events already recorded for --customers customers (recordOutgoingEvent),
 *    endpoints registered through /v1/webhook-endpoints (one for `*`; several split the event
 *    types, so each event is delivered once), then the delivery worker `recur start` runs is woken
 *    and timed until a receiver in its own process (node:http, verifying each delivery with
 *    `standardwebhooks`, 204) has every event. Against a floor in the same run: the same receiver
 *    posted to by a plain loop with the same concurrency (one request at a time per endpoint),
 *    signing with `standardwebhooks`, no database. Again with --receiver-latency ms added by the
 *    receiver before it answers (--latency-events events): recur sends one request at a time per
 *    endpoint, so one endpoint's throughput is bounded by its latency. A run stops after
 *    --cap-seconds; its rate is then that of the events received so far, and `left` says how many were not.
 * 2. Added cost: applied events/s of bench/support/measure-applied.ts (the webhooks bench's
 *    apply measurement, local sandbox) with no endpoint and with one for `*` whose deliveries are
 *    made meanwhile, and statements sent per applied event in each; --cost-rounds pairs, back to
 *    back, the ratio being the median of the pairs' (the machine's load moves single runs).
 *
 *   npm run bench:outgoing -- [--events 20000] [--customers 2000] [--endpoints 1,16] [--receiver-latency 50]
 *     [--latency-events 1000] [--cap-seconds 120] [--cost-events 4000] [--cost-subscriptions 200] [--cost-rounds 3] [--skip-cost] [--skip-delivery]
 *     [--engines pglite,postgres] [--json]
 */
import { parseArgs } from 'node:util';
import { measureApplied, type ApplyMeasure } from './support/measure-applied.ts';
import { measureDelivery, type DeliveryMeasure } from './support/measure-delivery.ts';
import { startOutgoingReceiver } from './support/outgoing-receiver-process.ts';
import { formatOutgoingReport } from './support/outgoing-report.ts';
import { postgresAnswers, type Engine } from './support/targets.ts';

const options = {
  events: { type: 'string', default: '20000' },
  customers: { type: 'string', default: '2000' },
  endpoints: { type: 'string', default: '1,16' },
  'receiver-latency': { type: 'string', default: '50' },
  'latency-events': { type: 'string', default: '1000' },
  'cap-seconds': { type: 'string', default: '120' },
  'cost-events': { type: 'string', default: '4000' },
  'cost-subscriptions': { type: 'string', default: '200' },
  'cost-rounds': { type: 'string', default: '3' },
  'skip-cost': { type: 'boolean', default: false },
  'skip-delivery': { type: 'boolean', default: false },
  engines: { type: 'string' },
  json: { type: 'boolean', default: false },
} as const;

function fail(message: string): never {
  process.stderr.write(`bench: ${message}\n`);
  process.exit(64);
}

function parseOptions(): ReturnType<typeof parseArgs<{ options: typeof options }>>['values'] {
  try {
    return parseArgs({ options }).values;
  } catch (error) {
    fail(error instanceof Error ? error.message : String(error));
  }
}

const values = parseOptions();

function whole(name: string, text: string, least: number, most = Number.MAX_SAFE_INTEGER): number {
  const value = Number(text);
  if (!Number.isInteger(value) || value < least || value > most) fail(`--${name} must be a whole number from ${least}${most < Number.MAX_SAFE_INTEGER ? ` to ${most}` : ''}, not "${text}"`);
  return value;
}

const events = whole('events', values.events, 1);
const customers = whole('customers', values.customers, 1);
// Up to one endpoint per event type: more could not split the types between them.
const endpointCounts = values.endpoints.split(',').map((text) => whole('endpoints', text.trim(), 1, 17));
const receiverLatency = whole('receiver-latency', values['receiver-latency'], 0);
const latencyEvents = whole('latency-events', values['latency-events'], 1);
const capSeconds = whole('cap-seconds', values['cap-seconds'], 1);
const costEvents = whole('cost-events', values['cost-events'], 1);
const costSubscriptions = whole('cost-subscriptions', values['cost-subscriptions'], 1);
const costRounds = whole('cost-rounds', values['cost-rounds'], 1);
const adminUrl = process.env.BENCH_DATABASE_URL ?? process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

let engines: Engine[];
if (values.engines) {
  engines = values.engines.split(',').map((name) => name.trim()) as Engine[];
  const unknown = engines.filter((engine) => engine !== 'pglite' && engine !== 'postgres');
  if (unknown.length > 0) fail(`--engines takes pglite and/or postgres, not ${unknown.join(', ')}`);
} else {
  engines = (await postgresAnswers(adminUrl)) ? ['pglite', 'postgres'] : ['pglite'];
}

const delivery: DeliveryMeasure[] = [];
const cost: (ApplyMeasure & { round: number })[] = [];
for (const engine of engines) {
  for (const latency of values['skip-delivery'] ? [] : receiverLatency > 0 ? [0, receiverLatency] : [0]) {
    for (const endpoints of endpointCounts) {
      delivery.push(await measureDelivery({ engine, events: latency > 0 ? latencyEvents : events, customers, endpoints, receiverLatencyMs: latency, capSeconds, adminUrl }));
    }
  }
  if (!values['skip-cost']) {
    const apply = { engine, events: costEvents, subscriptions: costSubscriptions, latencyMs: 0, requestsPerSecond: 1000, adminUrl };
    const receiver = await startOutgoingReceiver(0);
    try {
      // Pairs measured back to back, the order alternating, so a load that drifts falls on both sides.
      for (let round = 1; round <= costRounds; round++) {
        for (const withEndpoint of round % 2 === 1 ? [false, true] : [true, false]) {
          cost.push({ round, ...(await measureApplied(withEndpoint ? { ...apply, deliverTo: receiver } : apply)) });
        }
      }
    } finally {
      await receiver.stop();
    }
  }
}

if (values.json) process.stdout.write(`${JSON.stringify({ delivery, cost }, null, 2)}\n`);
else process.stdout.write(`${formatOutgoingReport(delivery, cost).join('\n')}\n`);

// A run stopped by the cap is a figure (with events left); one that stalled, or sent a delivery the receiver could not verify or had already, is a fault.
const faulty = delivery.filter((row) => row.recur.end === 'stalled' || row.recur.rejected > 0 || row.recur.duplicates > 0);
if (faulty.length > 0) {
  process.stderr.write(`bench: deliveries stalled or were not verified once each: ${faulty.map((row) => `${row.engine}/${row.endpoints} endpoints/${row.receiverLatencyMs} ms: ${row.recur.received} of ${row.events}, ${row.recur.rejected} rejected, ${row.recur.duplicates} duplicates`).join('; ')}\n`);
  process.exitCode = 1;
}
const unapplied = cost.filter((row) => Object.keys(row.statuses).some((status) => status !== 'processed') || (row.endpoint && row.received < row.outgoingEvents));
if (unapplied.length > 0) {
  process.stderr.write('bench: in the added-cost runs, some events were not applied or not delivered\n');
  process.exitCode = 1;
}
