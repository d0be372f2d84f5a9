import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { EmulatedProvider } from '../config/development-setup.ts';
import type { Config } from '../config/load-config.ts';
import { runTimeDrivenJobsNow } from '../jobs/run-time-driven-jobs-now.ts';
import { shopNameOf } from '../config/shop-name.ts';
import { buildPaypalOperations, buildStripeOperations } from '../runtime/build-payment-providers.ts';
import { claimPaypalWebhook, PAYPAL_WEBHOOK_PATH, pointPaypalWebhookAt, type SandboxPaypal } from './dev-paypal-webhook.ts';
import type { JobQueue } from '../services/service-context.ts';
import { syncPlansToProvider } from '../services/sync/sync-plans-to-providers.ts';
import type { Clock } from '../shared/clock.ts';
import type { Logger } from '../shared/logger.ts';

export type DevSandbox = {
  url: string;
  describe(): Record<string, unknown>;
  /** Which providers recur uses the sandbox for (those without keys of their own). */
  emulated: readonly EmulatedProvider[];
  /** The sandbox's clock: recur reads it, so moving it moves both (one clock). */
  clock: Clock;
  /** Where the sandbox keeps its state across restarts. */
  stateFile: string;
  /**
   * Registers recur's webhook endpoints at the sandbox and syncs the catalogue there; then lets
   * the clock follow real time, and runs recur's time-driven jobs at once after each move.
   */
  connect(service: { url: string; jobs: JobQueue }, logger: Logger): Promise<void>;
  stop(): Promise<void>;
};

type SandboxDescription = {
  stripe: { apiKey: string; webhookSecret: string };
  paypal: SandboxPaypal & { rootCertificateFile?: string };
  sendgrid: { baseUrl: string; apiKey: string; eventWebhook: { publicKey: string | null } };
  twilio: { baseUrl: string; accountSid: string; authToken: string; fromNumber: string };
};

export const SANDBOX_STATE_FILE_NAME = 'sandbox-state.json';

/**
 * SANDBOX_STATE_FILE, else a file in recur's data directory: recur's database survives a restart,
 * so the providers' side of it (customers, subscriptions, the clock, inboxes) must too.
 */
function chooseStateFile(config: Config): string {
  if (config.SANDBOX_STATE_FILE) return resolve(config.SANDBOX_STATE_FILE);
  const dataDir = resolve(config.RECUR_DATA_DIR);
  // Before the embedded database creates it with the default mode: it holds customers' data.
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  return join(dataDir, SANDBOX_STATE_FILE_NAME);
}

/**
 * The development start-up: the providers `chooseEmulatedProviders` picked (all of them when none
 * is configured; with SANDBOX=on, those without settings) are pointed at the local emulators:
 * key, base URL, signing secret or public key. Only those: a configured provider never gets the
 * sandbox's published secrets. Imported lazily, so production paths never load sandbox/.
 */
export async function startDevSandbox(config: Config, emulated: readonly EmulatedProvider[]): Promise<{ sandbox: DevSandbox; config: Config } | null> {
  if (emulated.length === 0) return null;
  const { startDefaultSandbox } = await import('../../sandbox/start-default-sandbox.ts');
  const stateFile = chooseStateFile(config);
  // HOST is loopback here (chooseEmulatedProviders refuses any other): the control routes and inboxes have no auth.
  const running = await startDefaultSandbox({ port: config.SANDBOX_PORT, host: config.HOST, stateFile });
  const { stripe, paypal, sendgrid, twilio } = running.describe().providers as SandboxDescription;
  const paypalWebhook = emulated.includes('paypal') ? await claimPaypalWebhook(running.url, paypal, config) : null;
  const withSandbox: Config = {
    ...config,
    ...(emulated.includes('stripe') ? { STRIPE_SECRET_KEY: stripe.apiKey, STRIPE_API_BASE: running.url, STRIPE_WEBHOOK_SECRET: [stripe.webhookSecret] } : {}),
    ...(paypalWebhook
      ? {
          PAYPAL_CLIENT_ID: paypal.clientId,
          PAYPAL_CLIENT_SECRET: paypal.clientSecret,
          PAYPAL_WEBHOOK_ID: paypalWebhook.id,
          PAYPAL_MODE: 'sandbox' as const,
          PAYPAL_API_BASE: paypal.baseUrl,
          // Written beside the state file once the sandbox listened (it has by now).
          PAYPAL_SANDBOX_ROOT_CA_FILE: paypal.rootCertificateFile,
        }
      : {}),
    ...(emulated.includes('sendgrid')
      ? { SENDGRID_API_KEY: sendgrid.apiKey, SENDGRID_FROM: `${shopNameOf(config)} <notices@recur.test>`, SENDGRID_API_BASE: sendgrid.baseUrl, SENDGRID_WEBHOOK_PUBLIC_KEY: sendgrid.eventWebhook.publicKey ?? undefined }
      : {}),
    ...(emulated.includes('twilio') ? { TWILIO_ACCOUNT_SID: twilio.accountSid, TWILIO_AUTH_TOKEN: twilio.authToken, TWILIO_FROM: twilio.fromNumber, TWILIO_API_BASE: twilio.baseUrl } : {}),
  };
  return {
    config: withSandbox,
    sandbox: {
      url: running.url,
      describe: () => running.describe(),
      emulated,
      clock: { now: () => running.ctx.clock.now() },
      stateFile,
      async connect(service, logger) {
        const serviceUrl = service.url;
        if (emulated.includes('stripe')) {
          const response = await fetch(`${running.url}/sandbox/stripe/webhook-endpoints`, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({ url: `${serviceUrl}/webhooks/stripe` }),
          });
          if (!response.ok) throw new Error(`registering recur's webhook endpoint at the sandbox failed: HTTP ${response.status}`);
          await syncPlansToProvider(buildStripeOperations({ secretKey: stripe.apiKey, apiBase: running.url }), config.catalogue.plans, config.DEFAULT_LOCALE);
        }
        // PORT=0 (or another address than the one foreseen): the webhook follows recur, keeping the id its verifier checks.
        if (paypalWebhook) {
          await pointPaypalWebhookAt(paypal, paypalWebhook, `${serviceUrl}${PAYPAL_WEBHOOK_PATH}`);
          // PayPal sells the catalogue too, as `recur plans sync` would make it (found again on a restart).
          const paypalOperations = buildPaypalOperations(withSandbox, { now: () => running.ctx.clock.now() });
          if (paypalOperations) await syncPlansToProvider(paypalOperations, config.catalogue.plans, config.DEFAULT_LOCALE);
        }
        if (emulated.includes('sendgrid')) {
          // SendGrid's own settings API, as a shop would set it in SendGrid's console.
          const response = await fetch(`${sendgrid.baseUrl}/v3/user/webhooks/event/settings`, {
            method: 'PATCH',
            headers: { 'content-type': 'application/json', authorization: `Bearer ${sendgrid.apiKey}` },
            body: JSON.stringify({ enabled: true, url: `${serviceUrl}/webhooks/sendgrid` }),
          });
          if (!response.ok) throw new Error(`pointing the sandbox's SendGrid Event Webhook at recur failed: HTTP ${response.status}`);
        }
        // recur's crons run on real time; after a jump of the clock, what fell due runs now.
        running.onClockMoved((move) => {
          runTimeDrivenJobsNow(service.jobs).catch((error: unknown) => logger.error({ err: error, to: move.to.toISOString() }, 'could not queue the jobs due after the sandbox clock moved'));
        });
        // Between explicit moves the clock runs as real time does, so backoffs, quiet hours and expiries pass.
        running.followRealTime((error) => logger.error({ err: error }, 'the sandbox clock could not follow real time'));
      },
      stop: () => running.stop(),
    },
  };
}
