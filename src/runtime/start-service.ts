import type { Config } from '../config/load-config.ts';
import { startControlServer } from '../control/control-server.ts';
import { buildHttpApp } from '../http/build-http-app.ts';
import { closeHttpApp } from '../http/close-http-app.ts';
import { buildJobCatalogue } from '../jobs/job-catalogue.ts';
import { startJobEngine } from '../jobs/job-engine.ts';
import { inboxWorkerDeps } from '../jobs/process-webhook-inbox.ts';
import { releaseExpiredInboxClaims } from '../jobs/release-expired-inbox-claims.ts';
import { buildMessaging } from './build-messaging.ts';
import { buildPaymentProviders, buildWebhookVerifiers } from './build-payment-providers.ts';
import type { JobQueue, ServiceContext } from '../services/service-context.ts';
import type { Clock } from '../shared/clock.ts';
import type { Logger } from '../shared/logger.ts';
import { buildWebhookContext } from '../webhooks/build-webhook-context.ts';
import { drainInboxPass } from '../webhooks/drain-inbox.ts';
import { startInboxWakeUp } from '../webhooks/inbox-wake-up.ts';
import { nextInboxDueTime } from '../webhooks/next-inbox-due-time.ts';
import { readLinkKey, type LinkKeySource } from './link-signing-key.ts';
import { buildOutgoingWebhooks } from './build-outgoing-webhooks.ts';
import { startWebhookDeliveryWorker } from './start-webhook-delivery-worker.ts';
import { DELIVER_WEBHOOKS, webhookWorkerContext } from '../jobs/deliver-webhooks.ts';
import { openStore } from './open-store.ts';
import { openWorkerDatabase } from './open-worker-database.ts';
import type { DataDirLock } from '../db/data-dir-lock.ts';
import { recordJobFailureAlert } from '../services/notifications/record-job-failure-alert.ts';
import { recurVersion } from './version.ts';
import { resealEndpointSecrets } from '../services/outgoing-webhooks/reseal-endpoint-secrets.ts';

export type RunningService = { url: string; databaseDescription: string; jobs: JobQueue; stop(): Promise<void> };

export type StartOptions = {
  /** The embedded database's lock, taken by `recur start` before anything else (null on PostgreSQL). */
  lock: DataDirLock | null;
  /** Decided from the operator's settings, not from the sandbox's stand-in keys. */
  linkKey: LinkKeySource;
  /** Whether the shop's webhook endpoints may be on loopback or private networks, decided from the operator's settings (allowsPrivateWebhookTargets). */
  allowPrivateWebhookTargets: boolean;
};

/** Database, job engine, HTTP: started in that order, stopped in the reverse. */
export async function startService(config: Config, clock: Clock, logger: Logger, options: StartOptions): Promise<RunningService> {
  const store = await openStore(config, clock, 'start', options);
  // Stripe's processor is registered when a key is configured; a provider without one has its events stored and marked ignored (replayable).
  // The processor queues fraud reviews and dispute policies; the queue exists once the engine has started.
  const providers = buildPaymentProviders(config, store.db, clock, () => ctx.jobs);
  const webhooks = buildWebhookContext(config, { verifiers: buildWebhookVerifiers(config, clock), processors: providers.processors });
  const workerDb = openWorkerDatabase(config);
  if (workerDb) webhooks.workerDb = workerDb;
  const ctx: ServiceContext = { db: store.db, clock, config, webhooks, payments: providers.payments };
  try {
    const linkKey = readLinkKey(options.linkKey);
    ctx.messaging = buildMessaging(config, linkKey, config.LINK_SIGNING_SECRET_PREVIOUS ?? null);
    ctx.outgoingWebhooks = buildOutgoingWebhooks(config, linkKey, options.allowPrivateWebhookTargets);
    if (config.LINK_SIGNING_SECRET_PREVIOUS) {
      const sealed = await resealEndpointSecrets({ db: ctx.db, clock, outgoingWebhooks: ctx.outgoingWebhooks });
      logger.info(sealed, 'webhook endpoint secrets sealed again under the new LINK_SIGNING_SECRET; LINK_SIGNING_SECRET_PREVIOUS can go once the links it signed have expired');
    }
    if (store.applied.length > 0) logger.info({ migrations: store.applied.map((m) => m.name) }, 'migrations applied');
    // Alone on the embedded database, any claim still open is this process's own from before a crash.
    if (store.exclusive) {
      const released = await releaseExpiredInboxClaims(ctx, { all: true });
      if (released > 0) logger.warn({ released }, 'webhook events left in processing by a stopped process were released for retry');
    }
    const engine = await startJobEngine({
      db: store.db,
      jobs: buildJobCatalogue(ctx),
      logger,
      pollIntervalSeconds: config.JOB_POLL_INTERVAL_SECONDS,
      abandonActiveJobs: store.exclusive,
      onGaveUp: (failure) => recordJobFailureAlert(ctx, failure),
      // A job's writes (reconciliation, lapsed entitlements, scheduled cancels, risk steps) may have
      // recorded events for the shop: they go out now, not at the delivery job's next minute.
      onRunEnded: (jobName) => {
        if (jobName !== DELIVER_WEBHOOKS) ctx.outgoingWebhooks?.wake?.();
      },
    });
    ctx.jobs = engine;
    // Free per accepted webhook: no job is written per event (docs/adr/0017); the job's schedule is the safety net.
    const workerDeps = inboxWorkerDeps(ctx)!;
    const deliveryWorker = startWebhookDeliveryWorker(webhookWorkerContext(ctx)!, logger);
    ctx.outgoingWebhooks.wake = () => deliveryWorker.wake();
    // An inbox pass that applied events may have recorded events for the shop's endpoints.
    const drainAndTell = async (stopping: () => boolean) => {
      const pass = await drainInboxPass(workerDeps, undefined, undefined, stopping);
      if (pass.claimed > 0) deliveryWorker.wake();
      return pass;
    };
    const wakeUp = await startInboxWakeUp(drainAndTell, {
      postgresUrl: store.db.kind === 'postgres' ? config.DATABASE_URL : undefined,
      logger,
      dueWork: { nextDueAt: () => nextInboxDueTime(store.db), now: () => clock.now(), releaseLapsedClaims: () => releaseExpiredInboxClaims(ctx) },
    });
    webhooks.wakeWorker = async () => wakeUp.wake();
    const app = await buildHttpApp({ ctx, logger, bodyLimitBytes: config.HTTP_BODY_LIMIT_BYTES, version: recurVersion });
    try {
      await app.listen({ port: config.PORT, host: config.HOST });
    } catch (error) {
      await wakeUp.stop();
      await deliveryWorker.stop();
      await engine.stop();
      throw error;
    }
    // Rows left due by an earlier run are worked now, not at the next scheduled run.
    wakeUp.wake();
    deliveryWorker.wake();
    // The CLI's channel to this process on the embedded database (null on PostgreSQL).
    const control = await startControlServer(config, ctx, logger);
    const address = app.server.address();
    const port = typeof address === 'object' && address ? address.port : config.PORT;
    const host = config.HOST.includes(':') ? `[${config.HOST}]` : config.HOST;
    return {
      url: `http://${host}:${port}`,
      databaseDescription: store.description,
      jobs: engine,
      async stop() {
        await control?.close();
        await closeHttpApp(app);
        await wakeUp.stop();
        await deliveryWorker.stop();
        await engine.stop();
        await workerDb?.close();
        await store.close();
      },
    };
  } catch (error) {
    await workerDb?.close();
    await store.close();
    throw error;
  }
}
