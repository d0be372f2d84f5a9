import { resolve } from 'node:path';
import type { Config } from '../config/load-config.ts';
import { createStripeClient } from '../providers/payments/stripe/create-stripe-client.ts';
import { createStripeGateway } from '../providers/payments/stripe/create-stripe-gateway.ts';
import { syncPlansToStripe } from '../services/sync/sync-plans-to-stripe.ts';

export type DevSandbox = {
  url: string;
  describe(): Record<string, unknown>;
  /** Registers recur's webhook endpoint at the sandbox and syncs the catalogue there. */
  connect(serviceUrl: string): Promise<void>;
  stop(): Promise<void>;
};

/**
 * The development start-up: with SANDBOX=auto and no Stripe key, recur runs the local emulators
 * and points its Stripe adapter at them (key, base URL, the sandbox's fixed signing secret).
 * Imported lazily, so production paths never load sandbox/.
 */
export async function startDevSandbox(config: Config): Promise<{ sandbox: DevSandbox; config: Config } | null> {
  if (config.SANDBOX === 'off' || config.STRIPE_SECRET_KEY) return null;
  const { startDefaultSandbox } = await import('../../sandbox/start-default-sandbox.ts');
  const running = await startDefaultSandbox({
    port: config.SANDBOX_PORT,
    host: config.HOST,
    ...(config.SANDBOX_STATE_FILE ? { stateFile: resolve(config.SANDBOX_STATE_FILE) } : {}),
  });
  const stripe = (running.describe().providers as Record<string, { apiKey: string; webhookSecret: string }>).stripe!;
  const withSandbox: Config = { ...config, STRIPE_SECRET_KEY: stripe.apiKey, STRIPE_API_BASE: running.url, STRIPE_WEBHOOK_SECRET: [stripe.webhookSecret] };
  return {
    config: withSandbox,
    sandbox: {
      url: running.url,
      describe: () => running.describe(),
      async connect(serviceUrl) {
        const response = await fetch(`${running.url}/sandbox/stripe/webhook-endpoints`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ url: `${serviceUrl}/webhooks/stripe` }),
        });
        if (!response.ok) throw new Error(`registering recur's webhook endpoint at the sandbox failed: HTTP ${response.status}`);
        await syncPlansToStripe(createStripeGateway(createStripeClient({ secretKey: stripe.apiKey, apiBase: running.url })), config.catalogue.plans);
      },
      stop: () => running.stop(),
    },
  };
}
