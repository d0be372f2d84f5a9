import type { Config } from '../config/load-config.ts';
import { buildStripeOperations } from '../runtime/build-payment-providers.ts';
import type { ProviderOperations } from '../providers/payments/provider-operations.ts';

/** The Stripe that `plans list` asks, and how it names it; or why none can be asked. */
export type PlanPriceSource = { gateway: ProviderOperations; name: string } | { gateway: null; reason: string };

/**
 * The configured Stripe; without a key, the sandbox a key-less `recur start` runs (and synced the
 * plans to), if one answers on SANDBOX_PORT. Its own description gives its Stripe key.
 */
export async function findPlanPriceSource(config: Config): Promise<PlanPriceSource> {
  if (config.STRIPE_SECRET_KEY) {
    const gateway = buildStripeOperations({ secretKey: config.STRIPE_SECRET_KEY, apiBase: config.STRIPE_API_BASE });
    return { gateway, name: config.STRIPE_API_BASE ? `stripe at ${config.STRIPE_API_BASE}` : 'stripe' };
  }
  if (config.SANDBOX === 'off') return { gateway: null, reason: 'no STRIPE_SECRET_KEY' };
  const host = config.HOST.includes(':') ? `[${config.HOST}]` : config.HOST;
  const url = `http://${host}:${config.SANDBOX_PORT}`;
  const apiKey = await readSandboxStripeKey(url);
  if (!apiKey) return { gateway: null, reason: `no STRIPE_SECRET_KEY, and no sandbox answers on ${url} (a key-less \`recur start\` runs one and syncs the plans there)` };
  return { gateway: buildStripeOperations({ secretKey: apiKey, apiBase: url }), name: `the sandbox's stripe at ${url}` };
}

async function readSandboxStripeKey(url: string): Promise<string | null> {
  try {
    const response = await fetch(`${url}/sandbox`, { signal: AbortSignal.timeout(2000) });
    if (!response.ok) return null;
    const description = (await response.json()) as { providers?: { stripe?: { apiKey?: unknown } } };
    const apiKey = description.providers?.stripe?.apiKey;
    return typeof apiKey === 'string' ? apiKey : null;
  } catch {
    return null;
  }
}
