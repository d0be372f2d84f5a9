import type { AddressInfo } from 'node:net';
import type { DatabaseKind } from '../../src/db/database.ts';
import { buildJobCatalogue } from '../../src/jobs/job-catalogue.ts';
import { startJobEngine, type JobEngine } from '../../src/jobs/job-engine.ts';
import { PROCESS_WEBHOOK_INBOX, PROCESS_WEBHOOK_INBOX_KEY } from '../../src/jobs/process-webhook-inbox.ts';
import { createStripeGateway } from '../../src/providers/payments/stripe/create-stripe-gateway.ts';
import { createStripeEventProcessor } from '../../src/services/sync/create-stripe-event-processor.ts';
import { createStripeWebhookVerifier } from '../../src/providers/payments/stripe/verify-stripe-webhook.ts';
import { syncPlansToStripe } from '../../src/services/sync/sync-plans-to-stripe.ts';
import type { Clock } from '../../src/shared/clock.ts';
import { createLogger } from '../../src/shared/logger.ts';
import { startStripe, type StripeKit } from '../sandbox/stripe/stripe-kit.ts';
import { startWebhookTestApp, type WebhookTestApp } from '../webhooks/webhook-test-app.ts';

/**
 * recur as `startService` wires it, against the Stripe sandbox: HTTP listening on a port, the real
 * gateway and event processor, recur's `/webhooks/stripe` registered as a sandbox endpoint for all
 * events, and recur's clock = the sandbox clock (signatures and periods agree). The job engine is
 * started separately (`startWorker`), so a test can look at what the redirect recorded before any
 * webhook is processed.
 */
export type RecurApp = WebhookTestApp;

export type RunningRecur = {
  kit: StripeKit;
  t: RecurApp;
  /** recur's public base URL (the listening port): success_url points here. */
  baseUrl: string;
  endpointId: string;
  /** The endpoint's signing secret, for a test that delivers a copy itself. */
  endpointSecret: string;
  startWorker(): Promise<void>;
  close(): Promise<void>;
};

export type SandboxFaults = { webhooks?: unknown[]; requests?: unknown[] };

export async function startRunningRecur(kind: DatabaseKind, faults: SandboxFaults | null = null): Promise<RunningRecur> {
  const kit = await startStripe();
  const engines: JobEngine[] = [];
  let t: RecurApp | undefined;
  try {
    const clock: Clock = { now: () => kit.sandbox.ctx.clock.now() };
    // No signing secret yet: the endpoint's secret exists once recur's URL (its port) is known.
    // Stripe events (a subscription with its items, an invoice) are larger than the 4 KiB test default.
    t = await startWebhookTestApp(kind, { secrets: null, clock, bodyLimitBytes: 256 * 1024 });
    await t.app.listen({ port: 0, host: '127.0.0.1' });
    const { port } = t.app.server.address() as AddressInfo;
    const baseUrl = `http://127.0.0.1:${port}`;

    // As buildStripeIntegration: one gateway for checkout and for the processor's reads.
    const gateway = createStripeGateway(kit.stripe);
    t.ctx.stripe = { gateway, publicBaseUrl: baseUrl };
    const ctx = t.ctx;
    t.ctx.webhooks.processors.stripe = createStripeEventProcessor({ gateway, db: t.ctx.db, clock, plans: t.ctx.config.catalogue.plans, defaultLocale: t.ctx.config.DEFAULT_LOCALE, jobs: () => ctx.jobs });
    await syncPlansToStripe(gateway, t.ctx.config.catalogue.plans);

    if (faults) {
      const response = await fetch(`${kit.sandbox.url}/sandbox/faults`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify(faults) });
      if (!response.ok) throw new Error(`faults refused: ${response.status} ${await response.text()}`);
    }
    const endpoint = await kit.stripe.webhookEndpoints.create({ url: `${baseUrl}/webhooks/stripe`, enabled_events: ['*'] });
    // The endpoint's secret exists only once recur's URL (its port) is known.
    t.ctx.webhooks.verifiers.stripe = createStripeWebhookVerifier([endpoint.secret!]);

    const app = t;
    return {
      kit,
      t: app,
      baseUrl,
      endpointId: endpoint.id,
      endpointSecret: endpoint.secret!,
      async startWorker() {
        const engine = await startJobEngine({ db: app.ctx.db, jobs: buildJobCatalogue(app.ctx), logger: createLogger('silent'), pollIntervalSeconds: 0.5 });
        engines.push(engine);
        app.ctx.jobs = engine;
        app.ctx.webhooks.wakeWorker = async () => {
          await engine.enqueue(PROCESS_WEBHOOK_INBOX, {}, { singletonKey: PROCESS_WEBHOOK_INBOX_KEY });
        };
        await app.ctx.webhooks.wakeWorker();
      },
      async close() {
        for (const engine of engines.splice(0)) await engine.stop();
        await app.close();
        await kit.stop();
      },
    };
  } catch (error) {
    for (const engine of engines) await engine.stop();
    await t?.close();
    await kit.stop();
    throw error;
  }
}

export type InboxCounts = Record<string, number>;

export async function inboxCounts(t: RecurApp): Promise<InboxCounts> {
  const result = await t.ctx.db.query<{ status: string; n: number }>('SELECT status, count(*)::int AS n FROM webhook_inbox GROUP BY status ORDER BY status');
  return Object.fromEntries(result.rows.map((row) => [row.status, row.n]));
}

export type SandboxDelivery = { eventId: string; status: string; url: string; attempts: number };

export async function sandboxDeliveries(recur: RunningRecur): Promise<SandboxDelivery[]> {
  const response = await fetch(`${recur.kit.sandbox.url}/sandbox/webhooks/deliveries`);
  const deliveries = ((await response.json()) as { data: SandboxDelivery[] }).data;
  return deliveries.filter((delivery) => delivery.url === `${recur.baseUrl}/webhooks/stripe`);
}

/** Sandbox deliveries settled (the control route) and nothing left to do in recur's inbox; bounded. */
export async function waitUntilSettled(recur: RunningRecur, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const flushed = await fetch(`${recur.kit.sandbox.url}/sandbox/webhooks/flush`, { method: 'POST' });
    const { drained } = (await flushed.json()) as { drained: boolean };
    const open = await recur.t.ctx.db.query<{ n: number }>("SELECT count(*)::int AS n FROM webhook_inbox WHERE status IN ('received', 'failed', 'processing')");
    const pending = (await sandboxDeliveries(recur)).filter((delivery) => delivery.status === 'pending').length;
    if (drained && pending === 0 && open.rows[0]!.n === 0) return;
    if (Date.now() > deadline) {
      throw new Error(`not settled after ${timeoutMs} ms: sandbox drained=${drained}, pending deliveries ${pending}, inbox ${JSON.stringify(await inboxCounts(recur.t))}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}
