import { Writable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import { defaultCatalogue, type Catalogue } from '../../src/config/catalogue-schema.ts';
import { settingsSchema } from '../../src/config/settings-schema.ts';
import type { MessagingContext, ServiceSettings } from '../../src/services/service-context.ts';
import type { DatabaseKind } from '../../src/db/database.ts';
import { buildHttpApp } from '../../src/http/build-http-app.ts';
import { closeHttpApp } from '../../src/http/close-http-app.ts';
import { createApiKey } from '../../src/services/api-keys/create-api-key.ts';
import type { ServiceContext } from '../../src/services/service-context.ts';
import { ManualClock, type Clock } from '../../src/shared/clock.ts';
import type { WebhookContext } from '../../src/webhooks/webhook-context.ts';
import type { OutgoingWebhooksContext } from '../../src/services/outgoing-webhooks/outgoing-webhooks-context.ts';
import { createLogger } from '../../src/shared/logger.ts';
import { openTestDatabase, type TestDatabase } from './test-database.ts';

export type TestApp = {
  app: FastifyInstance;
  ctx: ServiceContext;
  clock: ManualClock;
  database: TestDatabase;
  /** A valid admin key, as `Authorization` header value. */
  auth: string;
  /** Every log line the app wrote, as written. */
  logLines: string[];
  close(): Promise<void>;
};

export type TestAppOptions = {
  catalogue?: Catalogue;
  pastDueGraceDays?: number;
  /** Settings beyond the defaults (fraud threshold, dispute policy, ...). */
  settings?: Partial<ServiceSettings>;
  webhooks?: WebhookContext;
  /** Replaces the manual clock as the app's clock (the sandbox's, in delivery tests). */
  clock?: Clock;
  /** Senders and callback verifiers for notices (the sandbox's SendGrid and Twilio, in notification tests). */
  messaging?: MessagingContext;
  /** The shop's webhook endpoints (test/support/outgoing-webhooks.ts builds one). */
  outgoingWebhooks?: OutgoingWebhooksContext;
};

export async function startTestApp(kind: DatabaseKind, options: TestAppOptions = {}): Promise<TestApp> {
  const database = await openTestDatabase(kind);
  const clock = new ManualClock('2026-03-01T10:00:00Z');
  const ctx: ServiceContext = {
    db: database.db,
    clock: options.clock ?? clock,
    // No hourly reconciliation in tests that start a job engine: a run is started by the test that wants one.
    // No lockout on failed API keys unless a test asks: many tests make unauthorized requests on purpose.
    config: { ...settingsSchema.parse({}), RECONCILE_CRON: 'off', NOTICES_CRON: 'off', API_KEY_FAILURE_LIMIT: 0, catalogue: options.catalogue ?? defaultCatalogue, PAST_DUE_GRACE_DAYS: options.pastDueGraceDays ?? 7, DEFAULT_LOCALE: 'nl', ...options.settings },
    ...(options.webhooks ? { webhooks: options.webhooks } : {}),
    ...(options.messaging ? { messaging: options.messaging } : {}),
    ...(options.outgoingWebhooks ? { outgoingWebhooks: options.outgoingWebhooks } : {}),
  };
  const logLines: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      logLines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
      done();
    },
  });
  const app = await buildHttpApp({ ctx, logger: createLogger('debug', sink), bodyLimitBytes: 64 * 1024, version: 'test' });
  await app.ready();
  const { key } = await createApiKey(ctx, 'test suite', 'test');
  return {
    app,
    ctx,
    clock,
    database,
    auth: `Bearer ${key}`,
    logLines,
    async close() {
      // As `recur start` stops, with a short grace: the sandbox's keep-alive connections to a listening app must not hold the teardown.
      await closeHttpApp(app, 1000);
      await database.dispose();
    },
  };
}

/** Row counts of the tables a failed request must leave untouched. */
export async function countRows(app: TestApp): Promise<Record<string, number>> {
  const tables = ['customers', 'subscriptions', 'payments', 'audit_log', 'api_keys'];
  const counts: Record<string, number> = {};
  for (const table of tables) {
    const result = await app.ctx.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${table}`);
    counts[table] = result.rows[0]!.n;
  }
  return counts;
}
