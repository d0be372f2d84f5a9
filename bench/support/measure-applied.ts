import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import pg from 'pg';
import Stripe from 'stripe';
import { startSandbox, type RunningSandbox } from '../../sandbox/core/start-sandbox.ts';
import { createStripeSandbox } from '../../sandbox/stripe/stripe-sandbox.ts';
import { defaultCatalogue } from '../../src/config/catalogue-schema.ts';
import type { Config } from '../../src/config/load-config.ts';
import { settingsSchema } from '../../src/config/settings-schema.ts';
import type { Database } from '../../src/db/database.ts';
import { migrate } from '../../src/db/migrate.ts';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openPGlite } from '../../src/db/pglite-database.ts';
import { openPostgres } from '../../src/db/postgres-database.ts';
import { buildHttpApp } from '../../src/http/build-http-app.ts';
import { createStripeWebhookVerifier } from '../../src/providers/payments/stripe/verify-stripe-webhook.ts';
import { buildPaymentProviders } from '../../src/runtime/build-payment-providers.ts';
import { openWorkerDatabase } from '../../src/runtime/open-worker-database.ts';
import type { ServiceContext } from '../../src/services/service-context.ts';
import { syncPlansToProvider } from '../../src/services/sync/sync-plans-to-providers.ts';
import { createLogger } from '../../src/shared/logger.ts';
import { webhookWorkerContext } from '../../src/jobs/deliver-webhooks.ts';
import { buildOutgoingWebhooks } from '../../src/runtime/build-outgoing-webhooks.ts';
import { startWebhookDeliveryWorker, type WebhookDeliveryWorker } from '../../src/runtime/start-webhook-delivery-worker.ts';
import { countingDatabase, type StatementCount } from './counting-database.ts';
import type { OutgoingReceiver } from './outgoing-receiver-process.ts';
import { registerEndpoints } from './register-endpoints.ts';
import { buildWebhookContext } from '../../src/webhooks/build-webhook-context.ts';
import { processInboxBatch } from '../../src/webhooks/process-inbox-batch.ts';

export type ApplyMeasureOptions = {
  /** Webhook events to apply (customer.subscription.updated and invoice.paid), at least one per subscription. */
  events: number;
  subscriptions: number;
  /** Added to every sandbox API request while the worker runs (the sandbox's latencyMs fault). */
  latencyMs?: number;
  /** STRIPE_MAX_REQUESTS_PER_SECOND of the measured recur. */
  requestsPerSecond?: number;
  /** PostgreSQL (default): a private database made through adminUrl, dropped afterwards; PGlite: a temporary directory, as `recur start` opens it. */
  engine?: 'postgres' | 'pglite';
  /** PostgreSQL with the right to create databases. */
  adminUrl: string;
  /**
   * One endpoint for `*` registered through the API, posting to this receiver, and this process's
   * delivery worker woken after each inbox batch that applied events, as start-service wakes it.
   */
  deliverTo?: OutgoingReceiver;
};

export type ApplyMeasure = {
  engine: 'postgres' | 'pglite';
  events: number;
  subscriptions: number;
  latencyMs: number;
  requestsPerSecond: number;
  /** Inbox rows by status once the worker found nothing due. */
  statuses: Record<string, number>;
  /** Worker time: from the first claim to an inbox with nothing due. */
  seconds: number;
  appliedPerSecond: number;
  /** Stripe API requests the sandbox received while the worker ran. */
  providerReads: number;
  readsPerAppliedEvent: number;
  /** Whether an endpoint took the events (deliverTo). */
  endpoint: boolean;
  /** Statements sent (BEGIN and COMMIT included) from the first claim until the delivery worker, if any, was idle, per applied event. */
  statementsPerAppliedEvent: number;
  /** Rows written for the shop's endpoints: events recorded, deliveries fanned out, events the receiver had once the worker was idle. */
  outgoingEvents: number;
  deliveries: number;
  received: number;
};

const START = new Date('2026-01-01T00:00:00Z');
const CHUNK = 20;

/**
 * Events applied per second by recur's worker with the Stripe processor: the sandbox makes
 * `subscriptions` paid subscriptions and updates them until `events` events of the two types were
 * delivered, signed, to recur's /webhooks/stripe (no worker running yet); then recur's worker
 * batches run until nothing is due, timed alone. Reads are counted where they arrive, at the
 * sandbox. A private database per call: on PostgreSQL with the worker's own pool, as `recur start`
 * opens it; on PGlite one embedded session in a temporary directory.
 */
export async function measureApplied(options: ApplyMeasureOptions): Promise<ApplyMeasure> {
  const rate = options.requestsPerSecond ?? settingsSchema.parse({}).STRIPE_MAX_REQUESTS_PER_SECOND;
  const engine = options.engine ?? 'postgres';
  const database = engine === 'postgres' ? await privateDatabase(options.adminUrl) : embeddedDirectory();
  const sandbox = await startSandbox({ providers: [createStripeSandbox()], start: START, webhookRetryDelaysMs: [50, 100, 200] });
  const cleanup: (() => Promise<unknown>)[] = [() => sandbox.stop(), () => database.drop()];
  try {
    const { apiKey } = (sandbox.describe().providers as { stripe: { apiKey: string } }).stripe;
    const config = {
      ...settingsSchema.parse({}),
      ...(engine === 'postgres' ? { DATABASE_URL: database.url } : {}),
      STRIPE_SECRET_KEY: apiKey,
      STRIPE_API_BASE: sandbox.url,
      STRIPE_MAX_REQUESTS_PER_SECOND: rate,
      WEBHOOK_RATE_LIMIT_PER_MINUTE: 0,
      WEBHOOK_BODY_LIMIT_BYTES: 1024 * 1024,
      RECONCILE_CRON: 'off',
      NOTICES_CRON: 'off',
      DEFAULT_LOCALE: 'nl',
      catalogue: defaultCatalogue,
    } as Config;
    const clock = { now: () => sandbox.ctx.clock.now() };
    const inner: Database = engine === 'postgres' ? openPostgres(database.url) : await openPGlite({ dataDir: database.url });
    cleanup.unshift(() => inner.close());
    const count: StatementCount = { statements: 0 };
    const db = countingDatabase(inner, count);
    await migrate(db, clock.now());

    // As startService wires it, without the job engine: the worker is run below, alone and timed.
    const providers = buildPaymentProviders({ ...config, PUBLIC_BASE_URL: 'http://recur.bench' }, db, clock, () => undefined);
    const webhooks = buildWebhookContext(config, { verifiers: {}, processors: providers.processors });
    const workerDb = openWorkerDatabase(config);
    if (workerDb) {
      webhooks.workerDb = countingDatabase(workerDb, count);
      cleanup.unshift(() => workerDb.close());
    }
    const ctx: ServiceContext = { db, clock, config, webhooks, payments: providers.payments, ...(options.deliverTo ? { outgoingWebhooks: buildOutgoingWebhooks(config, randomBytes(32).toString('base64url'), true) } : {}) };
    const app = await buildHttpApp({ ctx, logger: createLogger('silent'), bodyLimitBytes: 1024 * 1024, version: 'bench' });
    await app.listen({ port: 0, host: '127.0.0.1' });
    cleanup.unshift(() => app.close());
    let delivery: WebhookDeliveryWorker | undefined;
    if (options.deliverTo) {
      await registerEndpoints(app, ctx, options.deliverTo, [['*']]);
      delivery = startWebhookDeliveryWorker(webhookWorkerContext(ctx)!, createLogger('silent'));
      cleanup.unshift(() => delivery!.stop());
    }
    await syncPlansToProvider(providers.payments.get('stripe')!.gateway, config.catalogue.plans, config.DEFAULT_LOCALE);

    const setup = new Stripe(apiKey, { host: '127.0.0.1', port: Number(new URL(sandbox.url).port), protocol: 'http' });
    const endpoint = await setup.webhookEndpoints.create({ url: `http://127.0.0.1:${(app.server.address() as AddressInfo).port}/webhooks/stripe`, enabled_events: ['customer.subscription.updated', 'invoice.paid'] });
    webhooks.verifiers.stripe = createStripeWebhookVerifier([endpoint.secret!]);
    await makeEvents(setup, sandbox, db, options);

    await control(sandbox, 'DELETE', '/sandbox/requests');
    if (options.latencyMs) await control(sandbox, 'PUT', '/sandbox/faults', { requests: [{ provider: 'stripe', route: '*', latencyMs: options.latencyMs }] });
    count.statements = 0;
    const startedAt = performance.now();
    while ((await processInboxBatch({ db, clock, webhooks, locale: 'nl' })).claimed > 0) delivery?.wake();
    const seconds = (performance.now() - startedAt) / 1000;
    await delivery?.idle();
    const statements = count.statements;
    const counts = ((await control(sandbox, 'GET', '/sandbox/requests')) as { counts: Record<string, number> }).counts;
    const providerReads = Object.entries(counts).filter(([key]) => key.startsWith('stripe ')).reduce((sum, [, n]) => sum + n, 0);
    const statuses = await inboxStatuses(db);
    const applied = statuses['processed'] ?? 0;
    return {
      engine,
      events: options.events,
      subscriptions: options.subscriptions,
      latencyMs: options.latencyMs ?? 0,
      requestsPerSecond: rate,
      statuses,
      seconds,
      appliedPerSecond: applied / seconds,
      providerReads,
      readsPerAppliedEvent: applied > 0 ? providerReads / applied : 0,
      endpoint: options.deliverTo !== undefined,
      statementsPerAppliedEvent: applied > 0 ? statements / applied : 0,
      outgoingEvents: await countRows(inner, 'outgoing_events'),
      deliveries: await countRows(inner, 'webhook_deliveries'),
      received: options.deliverTo ? (await options.deliverTo.stats()).received : 0,
    };
  } finally {
    for (const step of cleanup) await step().catch(() => undefined);
  }
}

/** Paid subscriptions (one invoice.paid each), then metadata updates, round by round, until `events` were delivered. */
async function makeEvents(stripe: Stripe, sandbox: RunningSandbox, db: Database, options: ApplyMeasureOptions): Promise<void> {
  const price = (await stripe.prices.list({ lookup_keys: ['recur_monthly'] })).data[0]!;
  const ids: string[] = [];
  await inChunks(options.subscriptions, async (index) => {
    const customer = await stripe.customers.create({ email: `bench${index}@example.nl`, payment_method: 'pm_card_visa', invoice_settings: { default_payment_method: 'pm_card_visa' } });
    const subscription = await stripe.subscriptions.create({ customer: customer.id, items: [{ price: price.id }] });
    ids.push(subscription.id);
  });
  await settleDeliveries(sandbox);
  let delivered = await inboxSize(db);
  for (let round = 1; delivered < options.events; round++) {
    const wanted = Math.min(ids.length, options.events - delivered);
    await inChunks(wanted, (index) => stripe.subscriptions.update(ids[index]!, { metadata: { bench_round: String(round) } }).then(() => undefined));
    await settleDeliveries(sandbox);
    delivered = await inboxSize(db);
  }
}

async function inChunks(count: number, work: (index: number) => Promise<void>): Promise<void> {
  for (let from = 0; from < count; from += CHUNK) await Promise.all(Array.from({ length: Math.min(CHUNK, count - from) }, (_, offset) => work(from + offset)));
}

async function settleDeliveries(sandbox: RunningSandbox): Promise<void> {
  for (let tries = 0; tries < 600; tries++) {
    const { drained } = (await control(sandbox, 'POST', '/sandbox/webhooks/flush')) as { drained: boolean };
    if (drained) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error('the sandbox did not finish delivering its webhooks');
}

async function control(sandbox: RunningSandbox, method: string, path: string, body?: unknown): Promise<unknown> {
  const response = await fetch(`${sandbox.url}${path}`, { method, ...(body ? { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) } : {}) });
  if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${await response.text()}`);
  return response.json();
}

async function inboxSize(db: Database): Promise<number> {
  return (await db.query<{ n: number }>('SELECT count(*)::int AS n FROM webhook_inbox')).rows[0]!.n;
}

async function countRows(db: Database, table: 'outgoing_events' | 'webhook_deliveries'): Promise<number> {
  return (await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${table}`)).rows[0]!.n;
}

async function inboxStatuses(db: Database): Promise<Record<string, number>> {
  const result = await db.query<{ status: string; n: number }>('SELECT status, count(*)::int AS n FROM webhook_inbox GROUP BY status ORDER BY status');
  return Object.fromEntries(result.rows.map((row) => [row.status, row.n]));
}

/** PGlite's data directory, removed afterwards (`url` is its path). */
function embeddedDirectory(): { url: string; drop(): Promise<void> } {
  const dir = mkdtempSync(join(tmpdir(), 'apply-bench-'));
  return { url: join(dir, 'pgdata'), drop: async () => rmSync(dir, { recursive: true, force: true }) };
}

async function privateDatabase(adminUrl: string): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `apply_bench_${process.pid}_${Date.now().toString(36)}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async drop() {
      const client = new pg.Client({ connectionString: adminUrl });
      await client.connect();
      await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await client.end();
    },
  };
}
