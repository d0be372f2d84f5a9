/**
 * `npm run bench:webhooks`: what recur's webhook path does under load, next to the floor measured
 * in the same run (bench/baseline-server.ts: a minimal receiver that verifies the signature and
 * inserts one row), on PGlite and on PostgreSQL. Figures vary by machine and by what else runs on
 * it: compare the ratios within one run, not absolute numbers across runs.
 *
 * 1. Acknowledged: autocannon (its own process; its CPU is printed) posting a unique signed
 *    `customer.subscription.updated` per request; events answered 200 per second and p50/p99.
 *    Then PayPal's: a unique BILLING.SUBSCRIPTION.UPDATED per request, signed SHA256withRSA as
 *    PayPal signs, verified offline by recur with its certificate fetched once and kept; against
 *    a PayPal floor (the same receiver, checking PayPal's signature with the certificate in memory).
 * 2. Applied: events applied per second by recur's worker with the Stripe processor on, re-reading
 *    each object from the sandbox (bench/support/measure-applied.ts): once against the local
 *    sandbox (request cap 1000/s: recur's own cost), once with --applied-latency ms added to every
 *    sandbox request at Stripe's live limit of 100 requests/s; with provider reads per event.
 * 3. Drain: a backlog of rows with no processor configured, from one waking webhook to empty.
 *
 *   npm run bench:webhooks -- [--seconds 10] [--warmup 3] [--connections 20] [--engines pglite,postgres]
 *     [--backlog 50000] [--drain-cap 180] [--skip-drain] [--applied-events 4000] [--applied-subscriptions 200]
 *     [--applied-latency 50] [--skip-applied] [--before-root DIR] [--json]
 *
 * --before-root DIR also measures the `recur start` of another checkout (say, main before a
 * change, built with `npm run build` there) in the same run, as "recur (before)".
 */
import { parseArgs } from 'node:util';
import { measureAcknowledged, type Acknowledged, type LoadSettings } from './support/measure-acknowledged.ts';
import { measureApplied, type ApplyMeasure } from './support/measure-applied.ts';
import { measureDrain, type Drain } from './support/measure-drain.ts';
import { startPaypalCertificateHost } from './support/paypal-signing.ts';
import { postgresAnswers, startBaseline, startRecur, thisCheckout, type Engine, type PaypalBench, type RecurLaunch, type Target } from './support/targets.ts';

const SECRET = 'whsec_recur_bench_secret';

const options = {
  seconds: { type: 'string', default: '10' },
  warmup: { type: 'string', default: '3' },
  connections: { type: 'string', default: '20' },
  engines: { type: 'string' },
  backlog: { type: 'string', default: '50000' },
  'drain-cap': { type: 'string', default: '180' },
  'skip-drain': { type: 'boolean', default: false },
  'applied-events': { type: 'string', default: '4000' },
  'applied-subscriptions': { type: 'string', default: '200' },
  'applied-latency': { type: 'string', default: '50' },
  'skip-applied': { type: 'boolean', default: false },
  'before-root': { type: 'string' },
  json: { type: 'boolean', default: false },
} as const;

/** A wrong option gets one line and exit 64, as every recur command. */
function parseOptions(): ReturnType<typeof parseArgs<{ options: typeof options }>>['values'] {
  try {
    return parseArgs({ options }).values;
  } catch (error) {
    process.stderr.write(`bench: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(64);
  }
}

const values = parseOptions();

function positive(name: string, text: string): number {
  const value = Number(text);
  if (!Number.isInteger(value) || value < 1) {
    process.stderr.write(`bench: --${name} must be a whole number above 0, not "${text}"\n`);
    process.exit(64);
  }
  return value;
}

const settings: LoadSettings = { secret: SECRET, connections: positive('connections', values.connections), warmupSeconds: positive('warmup', values.warmup), seconds: positive('seconds', values.seconds) };
const backlog = positive('backlog', values.backlog);
const drainCap = positive('drain-cap', values['drain-cap']);
const appliedEvents = positive('applied-events', values['applied-events']);
const appliedSubscriptions = positive('applied-subscriptions', values['applied-subscriptions']);
const appliedLatency = positive('applied-latency', values['applied-latency']);
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

/** The recur builds measured: this checkout, and another one when asked (before a change). */
const builds: { name: string; launch: RecurLaunch }[] = [...(values['before-root'] ? [{ name: 'recur (before)', launch: { root: values['before-root'] } }] : []), { name: 'recur', launch: thisCheckout }];

type AcknowledgedRow = { engine: Engine; target: string } & Acknowledged;
type DrainRow = { engine: Engine; target: string } & Drain;
const acknowledged: AcknowledgedRow[] = [];
const drains: DrainRow[] = [];
const applied: ApplyMeasure[] = [];

async function withTarget(start: () => Promise<Target>, engine: Engine): Promise<void> {
  const target = await start();
  try {
    const label = `${engine}_${target.name.replace(/\W/g, '')}_${Date.now()}`;
    acknowledged.push({ engine, target: target.name, ...(await measureAcknowledged(target, settings, label)) });
  } finally {
    await target.stop();
  }
}

const paypalHost = await startPaypalCertificateHost();
const paypal: PaypalBench = { webhookId: paypalHost.signer.webhookId, apiBase: paypalHost.apiBase, rootCaFile: paypalHost.rootCaFile, certificateFile: paypalHost.certificateFile, signerFile: paypalHost.signerFile };
const PAYPAL_FLOOR = 'floor (paypal)';

for (const engine of engines) {
  await withTarget(() => startBaseline(engine, SECRET, postgresUrl), engine);
  for (const build of builds) await withTarget(() => startRecur(engine, SECRET, postgresUrl, build.launch, build.name), engine);
  await withTarget(() => startBaseline(engine, SECRET, postgresUrl, paypal, PAYPAL_FLOOR), engine);
  await withTarget(() => startRecur(engine, SECRET, postgresUrl, thisCheckout, 'recur (paypal)', paypal), engine);
  if (!values['skip-applied']) {
    for (const [latencyMs, requestsPerSecond] of [[0, 1000], [appliedLatency, 100]] as const) {
      applied.push(await measureApplied({ engine, events: appliedEvents, subscriptions: appliedSubscriptions, latencyMs, requestsPerSecond, adminUrl: postgresUrl }));
    }
  }
  if (!values['skip-drain']) {
    for (const build of builds) {
      drains.push({ engine, target: build.name, ...(await measureDrain(engine, SECRET, postgresUrl, { events: backlog, capSeconds: drainCap, launch: build.launch, label: build.name.replace(/\W/g, '') })) });
    }
  }
}

await paypalHost.stop();

if (values.json) {
  process.stdout.write(`${JSON.stringify({ settings: { ...settings, secret: undefined }, backlog, drainCap, acknowledged, applied, drains }, null, 2)}\n`);
} else {
  process.stdout.write(`${report().join('\n')}\n`);
}
if (applied.some((row) => Object.keys(row.statuses).some((status) => status !== 'processed'))) {
  process.stderr.write('bench: some events were not applied (see the inbox column)\n');
  process.exitCode = 1;
}
if (acknowledged.some((row) => row.non2xx > 0 || row.errors > 0)) {
  process.stderr.write(`bench: some requests were not acknowledged with 2xx: ${acknowledged.map((row) => `${row.engine}/${row.target} non-2xx ${row.non2xx}, errors ${row.errors}`).join('; ')}\n`);
  process.exitCode = 1;
}

function report(): string[] {
  const pct = (share: number | null) => (share === null ? '?' : `${Math.round(share * 100)}%`);
  const lines = [
    `acknowledged: unique signed Stripe customer.subscription.updated (PayPal BILLING.SUBSCRIPTION.UPDATED, offline verification, certificate cached) events, ${settings.connections} connections, ${settings.seconds} s after ${settings.warmupSeconds} s warm-up, node ${process.version}`,
    `${'engine'.padEnd(9)}${'target'.padEnd(16)}${'ack/s'.padStart(8)}${'x floor'.padStart(9)}${'p50 ms'.padStart(8)}${'p99 ms'.padStart(8)}${'non-2xx'.padStart(9)}${'server CPU'.padStart(12)}${'loadgen CPU'.padStart(13)}`,
  ];
  for (const row of acknowledged) {
    // Each provider's rows against its own floor: PayPal's signature costs an RSA check, Stripe's an HMAC.
    const floorName = row.target.includes('paypal') ? PAYPAL_FLOOR : 'floor';
    const floor = acknowledged.find((other) => other.engine === row.engine && other.target === floorName);
    const ratio = floor ? (row.acknowledgedPerSecond / floor.acknowledgedPerSecond).toFixed(2) : '?';
    lines.push(
      `${row.engine.padEnd(9)}${row.target.padEnd(16)}${row.acknowledgedPerSecond.toFixed(0).padStart(8)}${ratio.padStart(9)}${String(row.p50Ms).padStart(8)}${String(row.p99Ms).padStart(8)}${String(row.non2xx + row.errors).padStart(9)}${pct(row.serverCpu).padStart(12)}${pct(row.generatorCpu).padStart(13)}`,
    );
  }
  if (applied.length > 0) {
    lines.push(`applied: ${appliedEvents} customer.subscription.updated + invoice.paid events for ${appliedSubscriptions} sandbox subscriptions, this checkout's worker with the Stripe processor, until nothing is due`);
    lines.push(`${'engine'.padEnd(9)}${'latency'.padEnd(9)}${'req/s cap'.padStart(10)}${'applied/s'.padStart(10)}${'seconds'.padStart(9)}${'reads/event'.padStart(12)}  inbox`);
    for (const row of applied) {
      lines.push(`${row.engine.padEnd(9)}${`${row.latencyMs} ms`.padEnd(9)}${String(row.requestsPerSecond).padStart(10)}${row.appliedPerSecond.toFixed(0).padStart(10)}${row.seconds.toFixed(1).padStart(9)}${row.readsPerAppliedEvent.toFixed(2).padStart(12)}  ${JSON.stringify(row.statuses)}`);
    }
  }
  if (drains.length > 0) {
    lines.push(`drain: a backlog of ${backlog} events, no processor configured, from one waking webhook until none is left to work (cap ${drainCap} s)`);
    lines.push(`${'engine'.padEnd(9)}${'target'.padEnd(16)}${'seconds'.padStart(9)}${'events/s'.padStart(10)}  left`);
    for (const row of drains) lines.push(`${row.engine.padEnd(9)}${row.target.padEnd(16)}${row.seconds.toFixed(1).padStart(9)}${row.eventsPerSecond.toFixed(0).padStart(10)}  ${row.drained ? 0 : row.left}`);
  }
  return lines;
}
