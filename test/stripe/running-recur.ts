import type { AddressInfo } from 'node:net';
import type { DatabaseKind } from '../../src/db/database.ts';
import { buildJobCatalogue } from '../../src/jobs/job-catalogue.ts';
import { startJobEngine, type JobEngine } from '../../src/jobs/job-engine.ts';
import { PROCESS_WEBHOOK_INBOX, PROCESS_WEBHOOK_INBOX_KEY } from '../../src/jobs/process-webhook-inbox.ts';
import { createStripeGateway } from '../../src/providers/payments/stripe/create-stripe-gateway.ts';
import { createProviderEventProcessor } from '../../src/services/sync/create-provider-event-processor.ts';
import { stripeEventDialect } from '../../src/providers/payments/stripe/events/stripe-event-dialect.ts';
import { createStripeWebhookVerifier } from '../../src/providers/payments/stripe/verify-stripe-webhook.ts';
import { syncPlansToProvider } from '../../src/services/sync/sync-plans-to-providers.ts';
import type { Clock } from '../../src/shared/clock.ts';
import { createLogger, type Logger } from '../../src/shared/logger.ts';
import { sdk, START, startStripe, type StripeKit } from '../sandbox/stripe/stripe-kit.ts';
import { startSandbox } from '../../sandbox/core/start-sandbox.ts';
import { createStripeSandbox } from '../../sandbox/stripe/stripe-sandbox.ts';
import { sendgridSandbox } from '../../sandbox/sendgrid/sendgrid-sandbox.ts';
import { twilioSandbox } from '../../sandbox/twilio/twilio-sandbox.ts';
import { buildMessaging } from '../../src/runtime/build-messaging.ts';
import type { MessagingContext, ServiceSettings } from '../../src/services/service-context.ts';
import { startWebhookTestApp, type WebhookTestApp } from '../webhooks/webhook-test-app.ts';
import { stripeOnly } from '../support/payment-providers.ts';
import { entitlementPolicyOf } from '../../src/services/entitlement/entitlement-policy.ts';

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

export type RunningRecurOptions = {
  /** The sandbox's first instant (default the Stripe kit's 2026-01-01T00:00Z). */
  start?: Date;
  /**
   * Also run the SendGrid and Twilio emulators on the same sandbox (one clock) and give recur
   * senders and callback verifiers for them, as `recur start` builds them from its settings.
   */
  messaging?: boolean;
  /** Settings beyond the test defaults (ADMIN_EMAILS, DUNNING_SCHEDULE_DAYS, ...). */
  settings?: Partial<ServiceSettings>;
  /** Jobs the worker leaves out (a test that runs the outbox delivery itself, pass by pass). */
  withoutJobs?: string[];
  /** Where the job engine logs (default nowhere): a test that reads every line recur writes. */
  workerLogger?: Logger;
};

export async function startRunningRecur(kind: DatabaseKind, faults: SandboxFaults | null = null, options: RunningRecurOptions = {}): Promise<RunningRecur> {
  const kit = options.messaging ? await startStripeWithMessaging(options.start ?? START) : await startStripe({}, options.start ?? START);
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

    // As buildPaymentProviders: one gateway for checkout and for the processor's reads.
    Object.assign(t.ctx.config, options.settings ?? {});
    if (options.messaging) t.ctx.messaging = await connectMessaging(kit, baseUrl);
    const gateway = createStripeGateway(kit.stripe);
    t.ctx.payments = stripeOnly(gateway, baseUrl);
    const ctx = t.ctx;
    t.ctx.webhooks.processors.stripe = createProviderEventProcessor({ dialect: stripeEventDialect, gateway, db: t.ctx.db, clock, plans: t.ctx.config.catalogue.plans, entitlementPolicy: entitlementPolicyOf(t.ctx.config), defaultLocale: t.ctx.config.DEFAULT_LOCALE, jobs: () => ctx.jobs });
    await syncPlansToProvider(gateway, t.ctx.config.catalogue.plans, t.ctx.config.DEFAULT_LOCALE);

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
        const jobs = buildJobCatalogue(app.ctx).filter((job) => !(options.withoutJobs ?? []).includes(job.name));
        const engine = await startJobEngine({ db: app.ctx.db, jobs, logger: options.workerLogger ?? createLogger('silent'), pollIntervalSeconds: 0.5 });
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

/**
 * Sandbox deliveries settled (the control route) and nothing left to do in recur's inbox; bounded.
 * The bound covers one retry of an event that failed: its backoff (30 s ± 25%) plus the worker's
 * minutely run, which on a busy machine is more than a minute.
 */
export async function waitUntilSettled(recur: RunningRecur, timeoutMs = 100_000): Promise<void> {
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

async function startStripeWithMessaging(start: Date): Promise<StripeKit> {
  const sandbox = await startSandbox({ providers: [createStripeSandbox(), sendgridSandbox, twilioSandbox], start, webhookRetryDelaysMs: [20, 40] });
  return { sandbox, stripe: sdk(sandbox), stop: () => sandbox.stop() };
}

type MessagingDescription = {
  sendgrid: { baseUrl: string; apiKey: string; eventWebhook: { publicKey: string } };
  twilio: { baseUrl: string; accountSid: string; authToken: string; fromNumber: string };
};

/**
 * recur's messaging as `recur start` builds it from settings, pointed at the sandbox, and the
 * sandbox's SendGrid Event Webhook pointed at recur (Twilio's callback URL rides on each message).
 */
export async function connectMessaging(kit: { sandbox: StripeKit['sandbox'] }, baseUrl: string): Promise<MessagingContext> {
  const { sendgrid, twilio } = kit.sandbox.describe().providers as MessagingDescription;
  const messaging = buildMessaging(
    {
      SENDGRID_API_KEY: sendgrid.apiKey,
      SENDGRID_FROM: 'Sportwinkel <service@sportwinkel.test>',
      SENDGRID_API_BASE: sendgrid.baseUrl,
      SENDGRID_WEBHOOK_PUBLIC_KEY: sendgrid.eventWebhook.publicKey,
      TWILIO_ACCOUNT_SID: twilio.accountSid,
      TWILIO_AUTH_TOKEN: twilio.authToken,
      TWILIO_FROM: twilio.fromNumber,
      TWILIO_API_BASE: twilio.baseUrl,
      PUBLIC_BASE_URL: baseUrl,
      HOST: '127.0.0.1',
      PORT: 0,
    },
    'a link-signing key for the tests, 32+ characters long',
  );
  const response = await fetch(`${sendgrid.baseUrl}/v3/user/webhooks/event/settings`, {
    method: 'PATCH',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${sendgrid.apiKey}` },
    body: JSON.stringify({ enabled: true, url: `${baseUrl}/webhooks/sendgrid` }),
  });
  if (!response.ok) throw new Error(`pointing the SendGrid Event Webhook at recur failed: ${response.status}`);
  return messaging;
}
