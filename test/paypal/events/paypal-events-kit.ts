import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RunningSandbox } from '../../../sandbox/core/start-sandbox.ts';
import { startSandbox } from '../../../sandbox/core/start-sandbox.ts';
import { createPaypalSandbox, defaultPaypalCredentials } from '../../../sandbox/paypal/paypal-sandbox.ts';
import { sendgridSandbox } from '../../../sandbox/sendgrid/sendgrid-sandbox.ts';
import { twilioSandbox } from '../../../sandbox/twilio/twilio-sandbox.ts';
import type { ServiceSettings } from '../../../src/services/service-context.ts';
import type { DatabaseKind } from '../../../src/db/database.ts';
import { buildJobCatalogue } from '../../../src/jobs/job-catalogue.ts';
import { startJobEngine, type JobEngine } from '../../../src/jobs/job-engine.ts';
import { PROCESS_WEBHOOK_INBOX, PROCESS_WEBHOOK_INBOX_KEY } from '../../../src/jobs/process-webhook-inbox.ts';
import { createPaypalClient } from '../../../src/providers/payments/paypal/create-paypal-client.ts';
import { createPaypalGateway } from '../../../src/providers/payments/paypal/create-paypal-gateway.ts';
import { createPaypalProvider } from '../../../src/providers/payments/paypal/paypal-provider.ts';
import type { ProviderOperations } from '../../../src/providers/payments/provider-operations.ts';
import { createPaypalEventProcessor } from '../../../src/runtime/create-paypal-event-processor.ts';
import { createPaymentProviders } from '../../../src/services/payment-providers.ts';
import { lookupKeyForPlan } from '../../../src/services/sync/plan-for-price.ts';
import { syncPlansToProvider } from '../../../src/services/sync/sync-plans-to-providers.ts';
import type { Clock } from '../../../src/shared/clock.ts';
import { createLogger } from '../../../src/shared/logger.ts';
import { accessToken, approveAs, linkOf, paypalCall, sandboxStart, startPaypalSandbox } from '../../sandbox/paypal/paypal-kit.ts';
import { connectMessaging } from '../../stripe/running-recur.ts';
import { seedCustomer } from '../../support/seed.ts';
import { startWebhookTestApp, type WebhookTestApp } from '../../webhooks/webhook-test-app.ts';
import { entitlementPolicyOf } from '../../../src/services/entitlement/entitlement-policy.ts';

export const DAY = 86_400_000;
export const onDay = (day: number): Date => new Date(sandboxStart.getTime() + day * DAY);

export const PAYS = 'pays@payers.recur.test';
export const RENEWALS_FAIL = 'renewals-fail@payers.recur.test';
export const DISPUTES = 'disputes@payers.recur.test';

export type WebhookFaults = { duplicateRate?: number; duplicateCopies?: number; dropRate?: number; shuffle?: boolean; dropEventTypes?: string[] };

/**
 * recur as `recur start` wires PayPal, against the PayPal sandbox on one clock: the HTTP app
 * listening, its `/webhooks/paypal` registered at the sandbox for every event and verified offline
 * with the sandbox's root CA, the real gateway, PayPal's event processor, and a worker running the
 * whole job catalogue (the dispute policy included).
 */
export type PaypalRecur = {
  sandbox: RunningSandbox;
  t: WebhookTestApp;
  gateway: ProviderOperations;
  baseUrl: string;
  /** Subscribes a new recur customer to the catalogue's monthly plan at PayPal and approves it on the hosted page as `payer`. */
  subscribe(payer: string, customer?: Record<string, unknown>): Promise<{ customerId: string; subscriptionId: string }>;
  /** Moves the shared clock to the given day after the sandbox's start, then waits until recur has processed every delivery. */
  moveToDay(day: number): Promise<void>;
  settle(): Promise<void>;
  close(): Promise<void>;
};

export type PaypalRecurOptions = {
  /** Also the SendGrid and Twilio emulators on the same sandbox (one clock), and recur's messaging pointed at them. */
  messaging?: boolean;
  /** Settings beyond the test defaults (DUNNING_SCHEDULE_DAYS, PAST_DUE_GRACE_DAYS, ...). */
  settings?: Partial<ServiceSettings>;
};

export async function startPaypalRecur(kind: DatabaseKind, faults: WebhookFaults | null = null, options: PaypalRecurOptions = {}): Promise<PaypalRecur> {
  const sandbox = options.messaging
    ? await startSandbox({ start: sandboxStart, providers: [createPaypalSandbox(), sendgridSandbox, twilioSandbox], webhookRetryDelaysMs: [50, 100] })
    : await startPaypalSandbox();
  const engines: JobEngine[] = [];
  const caDir = mkdtempSync(join(tmpdir(), 'recur-paypal-ca-'));
  let t: WebhookTestApp | undefined;
  try {
    const clock: Clock = { now: () => sandbox.ctx.clock.now() };
    t = await startWebhookTestApp(kind, { secrets: null, clock, bodyLimitBytes: 256 * 1024 });
    await t.app.listen({ port: 0, host: '127.0.0.1' });
    const baseUrl = `http://127.0.0.1:${(t.app.server.address() as AddressInfo).port}`;

    const token = await accessToken(sandbox.url);
    const webhook = await paypalCall(sandbox.url, token, 'POST', '/v1/notifications/webhooks', { url: `${baseUrl}/webhooks/paypal`, event_types: [{ name: '*' }] });
    const rootCaFile = join(caDir, 'root-ca.pem');
    writeFileSync(rootCaFile, await (await fetch(`${sandbox.url}/paypal/sandbox/root-ca.pem`)).text());
    const client = createPaypalClient(
      {
        PAYPAL_CLIENT_ID: defaultPaypalCredentials.clientId,
        PAYPAL_CLIENT_SECRET: defaultPaypalCredentials.clientSecret,
        PAYPAL_WEBHOOK_ID: webhook.body.id as string,
        PAYPAL_MODE: 'sandbox',
        PAYPAL_API_BASE: `${sandbox.url}/paypal`,
        PAYPAL_MAX_REQUESTS_PER_SECOND: 1000,
        PAYPAL_WEBHOOK_VERIFICATION: 'offline',
        PAYPAL_SANDBOX_ROOT_CA_FILE: rootCaFile,
      },
      clock,
    );
    if (!client) throw new Error('the PayPal client was not built');
    const app = t;
    const ctx = app.ctx;
    Object.assign(ctx.config, options.settings ?? {});
    if (options.messaging) ctx.messaging = await connectMessaging({ sandbox }, baseUrl);
    const gateway = createPaypalGateway(client, { brandName: 'Sportwinkel' });
    ctx.payments = createPaymentProviders([createPaypalProvider(gateway)], baseUrl);
    ctx.webhooks.verifiers.paypal = client.verifyWebhook;
    ctx.webhooks.processors.paypal = createPaypalEventProcessor({ gateway, db: ctx.db, clock, plans: ctx.config.catalogue.plans, entitlementPolicy: entitlementPolicyOf(ctx.config), defaultLocale: ctx.config.DEFAULT_LOCALE, jobs: () => ctx.jobs });
    await syncPlansToProvider(gateway, ctx.config.catalogue.plans, ctx.config.DEFAULT_LOCALE);
    if (faults) {
      const response = await fetch(`${sandbox.url}/sandbox/faults`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ webhooks: [{ provider: 'paypal', ...faults }] }) });
      if (!response.ok) throw new Error(`faults refused: ${response.status} ${await response.text()}`);
    }

    const engine = await startJobEngine({ db: ctx.db, jobs: buildJobCatalogue(ctx), logger: createLogger('silent'), pollIntervalSeconds: 0.5 });
    engines.push(engine);
    ctx.jobs = engine;
    ctx.webhooks.wakeWorker = async () => {
      await engine.enqueue(PROCESS_WEBHOOK_INBOX, {}, { singletonKey: PROCESS_WEBHOOK_INBOX_KEY });
    };

    const monthly = ctx.config.catalogue.plans.find((plan) => plan.id === 'monthly')!;
    const settle = () => waitUntilSettled(sandbox, app);
    return {
      sandbox,
      t: app,
      gateway,
      baseUrl,
      async subscribe(payer, customer = {}) {
        const customerId = await seedCustomer(app, `paypal-${payer.split('@')[0]!.replace(/[^a-z0-9-]/gi, '-')}-${Math.random().toString(36).slice(2, 8)}`, customer);
        const price = await gateway.findPriceByLookupKey(lookupKeyForPlan(monthly.id));
        if (!price) throw new Error('the monthly plan is not at PayPal');
        const created = await paypalCall(sandbox.url, token, 'POST', '/v1/billing/subscriptions', {
          plan_id: price.id,
          custom_id: customerId,
          application_context: { return_url: `${baseUrl}/shop/return`, cancel_url: `${baseUrl}/shop/cancel` },
        });
        if (created.status !== 201) throw new Error(`subscription refused: ${JSON.stringify(created.body)}`);
        const approved = await approveAs(linkOf(created.body, 'approve'), payer);
        if (approved.status !== 302) throw new Error(`approval answered ${approved.status}`);
        return { customerId, subscriptionId: created.body.id as string };
      },
      async moveToDay(day) {
        await sandbox.advance(onDay(day));
        await settle();
      },
      settle,
      async close() {
        for (const running of engines.splice(0)) await running.stop();
        await app.close();
        await sandbox.stop();
        rmSync(caDir, { recursive: true, force: true });
      },
    };
  } catch (error) {
    for (const running of engines) await running.stop();
    await t?.close();
    await sandbox.stop();
    rmSync(caDir, { recursive: true, force: true });
    throw error;
  }
}

/** Every sandbox delivery made and nothing left to do in recur's inbox (bounded). */
async function waitUntilSettled(sandbox: RunningSandbox, t: WebhookTestApp, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    await sandbox.ctx.webhooks.flush();
    await t.ctx.webhooks.wakeWorker?.();
    const open = await t.ctx.db.query<{ n: number }>("SELECT count(*)::int AS n FROM webhook_inbox WHERE status IN ('received', 'failed', 'processing')");
    if (open.rows[0]!.n === 0) {
      // Processing may have raised events of its own (a policy's call to PayPal): those too.
      await sandbox.ctx.webhooks.flush();
      const again = await t.ctx.db.query<{ n: number }>("SELECT count(*)::int AS n FROM webhook_inbox WHERE status IN ('received', 'failed', 'processing')");
      if (again.rows[0]!.n === 0) return;
    }
    if (Date.now() > deadline) throw new Error(`recur's inbox did not settle within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

export type SubscriptionRow = { status: string; provider_status: string; trial_end: Date | null; current_period_start: Date | null; current_period_end: Date | null; past_due_since: Date | null; canceled_at: Date | null; customer_id: string };

export async function subscriptionRow(t: WebhookTestApp, providerSubscriptionId: string): Promise<SubscriptionRow | null> {
  const result = await t.ctx.db.query<SubscriptionRow>(
    "SELECT status, provider_status, trial_end, current_period_start, current_period_end, past_due_since, canceled_at, customer_id FROM subscriptions WHERE provider = 'paypal' AND provider_subscription_id = $1",
    [providerSubscriptionId],
  );
  return result.rows[0] ?? null;
}

export type PaymentRow = { provider_payment_id: string; status: string; amount_minor: number; currency: string; subscription_id: string | null; customer_id: string };

export async function paymentRows(t: WebhookTestApp, customerId: string): Promise<PaymentRow[]> {
  const result = await t.ctx.db.query<PaymentRow>(
    "SELECT provider_payment_id, status, amount_minor::int AS amount_minor, currency, subscription_id, customer_id FROM payments WHERE provider = 'paypal' AND customer_id = $1 ORDER BY invoice_at",
    [customerId],
  );
  return result.rows;
}

export async function inboxReasons(t: WebhookTestApp, status: string): Promise<{ type: string; last_error: string | null }[]> {
  const result = await t.ctx.db.query<{ type: string; last_error: string | null }>("SELECT type, last_error FROM webhook_inbox WHERE provider = 'paypal' AND status = $1 ORDER BY id", [status]);
  return result.rows;
}
