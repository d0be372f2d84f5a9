import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { defaultCatalogue } from '../../src/config/catalogue-schema.ts';
import type { Config } from '../../src/config/load-config.ts';
import { settingsSchema } from '../../src/config/settings-schema.ts';
import type { Database } from '../../src/db/database.ts';
import { migrate } from '../../src/db/migrate.ts';
import { openPGlite } from '../../src/db/pglite-database.ts';
import { openPostgres } from '../../src/db/postgres-database.ts';
import { buildHttpApp } from '../../src/http/build-http-app.ts';
import { webhookWorkerContext } from '../../src/jobs/deliver-webhooks.ts';
import { buildOutgoingWebhooks } from '../../src/runtime/build-outgoing-webhooks.ts';
import { startWebhookDeliveryWorker } from '../../src/runtime/start-webhook-delivery-worker.ts';
import type { ServiceContext } from '../../src/services/service-context.ts';
import { systemClock } from '../../src/shared/clock.ts';
import { createLogger } from '../../src/shared/logger.ts';
import { countingDatabase, type StatementCount } from './counting-database.ts';
import { startOutgoingReceiver } from './outgoing-receiver-process.ts';
import { percentile, postDirectly, type Throughput } from './post-directly.ts';
import { processCpuSeconds } from './process-cpu.ts';
import { endpointEventTypes, endpointOfType, recordBenchEvents } from './record-bench-events.ts';
import { registerEndpoints } from './register-endpoints.ts';
import { scratchDatabase, type Engine } from './targets.ts';
import { waitForReceived, type WaitEnd } from './wait-for-received.ts';

export type DeliveryOptions = { engine: Engine; events: number; customers: number; endpoints: number; receiverLatencyMs: number; capSeconds: number; adminUrl: string };

export type DeliveryMeasure = Omit<DeliveryOptions, 'adminUrl'> & {
  /** recur: from the first delivery pass to the last event received; p50/p99 of its requests as its delivery log has them. */
  recur: Throughput & { end: WaitEnd; left: number; received: number; rejected: number; duplicates: number; statementsPerDelivery: number; cpu: number | null };
  /** The same receiver posted to by a plain loop, no database (post-directly.ts). */
  floor: Throughput;
  xFloor: number;
};

const silent = createLogger('silent');

/**
 * Outgoing delivery as `recur start` runs it: `events` events already recorded (recordOutgoingEvent)
 * for `customers` customers, `endpoints` endpoints registered through the API (one for `*`, or
 * several splitting the types), then this process's delivery worker (the one start-service wakes)
 * is woken once and timed until the receiver (its own process) has every event, verified, or
 * `capSeconds` have passed (the rate is then that of the events received so far). Then
 * the floor on the same receiver.
 */
export async function measureDelivery(options: DeliveryOptions): Promise<DeliveryMeasure> {
  const receiver = await startOutgoingReceiver(options.receiverLatencyMs);
  const scratch = await scratchDatabase(options.engine, options.adminUrl, `outgoing_${Date.now().toString(36)}`);
  const cleanup: (() => Promise<unknown>)[] = [() => receiver.stop(), () => scratch.drop()];
  try {
    const config = { ...settingsSchema.parse({}), RECONCILE_CRON: 'off', NOTICES_CRON: 'off', DEFAULT_LOCALE: 'nl', catalogue: defaultCatalogue } as Config;
    const inner: Database = options.engine === 'postgres' ? openPostgres(scratch.location) : await openPGlite({ dataDir: join(scratch.location, 'pgdata') });
    cleanup.unshift(() => inner.close());
    const count: StatementCount = { statements: 0 };
    const db = countingDatabase(inner, count);
    await migrate(db, systemClock.now());
    const ctx: ServiceContext = { db, clock: systemClock, config, outgoingWebhooks: buildOutgoingWebhooks(config, randomBytes(32).toString('base64url'), true) };
    const app = await buildHttpApp({ ctx, logger: silent, bodyLimitBytes: 1024 * 1024, version: 'bench' });
    cleanup.unshift(() => app.close());
    await registerEndpoints(app, ctx, receiver, endpointEventTypes(options.endpoints));
    await recordBenchEvents(db, { count: options.events, customers: options.customers, now: systemClock.now() });

    const worker = startWebhookDeliveryWorker(webhookWorkerContext(ctx)!, silent);
    cleanup.unshift(() => worker.stop());
    count.statements = 0;
    const cpuBefore = processCpuSeconds(process.pid);
    const startedAt = Date.now();
    worker.wake();
    const { stats, end } = await waitForReceived(receiver, options.events, startedAt, options.capSeconds * 1000);
    // Capped: the worker is told to stop; its lanes end after the request each has in flight.
    if (end === 'all') await worker.idle();
    else await worker.stop();
    const seconds = (stats.lastAt - startedAt) / 1000;
    const cpuAfter = processCpuSeconds(process.pid);
    const statements = count.statements;
    const latencies = (await inner.query<{ latency_ms: number }>('SELECT latency_ms FROM webhook_delivery_attempts ORDER BY latency_ms')).rows.map((row) => row.latency_ms);

    const floor = await postDirectly(receiver, { events: options.events, endpoints: options.endpoints, endpointOf: (type) => endpointOfType(type, options.endpoints) });
    const perSecond = stats.received / seconds;
    return {
      engine: options.engine,
      events: options.events,
      customers: options.customers,
      endpoints: options.endpoints,
      receiverLatencyMs: options.receiverLatencyMs,
      capSeconds: options.capSeconds,
      recur: {
        delivered: stats.received,
        end,
        left: options.events - stats.received,
        seconds,
        perSecond,
        p50Ms: percentile(latencies, 0.5),
        p99Ms: percentile(latencies, 0.99),
        received: stats.received,
        rejected: stats.rejected,
        duplicates: stats.duplicates,
        statementsPerDelivery: stats.received > 0 ? statements / stats.received : 0,
        cpu: cpuBefore !== null && cpuAfter !== null ? (cpuAfter - cpuBefore) / seconds : null,
      },
      floor,
      xFloor: perSecond / floor.perSecond,
    };
  } finally {
    for (const step of cleanup) await step().catch(() => undefined);
  }
}
