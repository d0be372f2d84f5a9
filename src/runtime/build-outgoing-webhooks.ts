import { lookup } from 'node:dns/promises';
import type { Config } from '../config/load-config.ts';
import { configuredProviders } from '../config/development-setup.ts';
import type { OutgoingWebhooksContext } from '../services/outgoing-webhooks/outgoing-webhooks-context.ts';
import { createSigningSecretSealer } from '../services/outgoing-webhooks/signing-secret-sealer.ts';
import { createWebhookDeliveryMetrics } from '../services/outgoing-webhooks/webhook-delivery-metrics.ts';
import { systemClock } from '../shared/clock.ts';

/**
 * Private targets: `on` or `off` as the operator says; `auto` allows them only in the key-less
 * development start (no provider configured), where the shop's receiver runs on this machine.
 * Never automatically beside real provider keys. Decided from the operator's settings, before the
 * sandbox adds its stand-in keys.
 */
export const allowsPrivateWebhookTargets = (config: Config): boolean =>
  config.WEBHOOK_ENDPOINTS_ALLOW_PRIVATE_TARGETS === 'on' || (config.WEBHOOK_ENDPOINTS_ALLOW_PRIVATE_TARGETS === 'auto' && configuredProviders(config).length === 0);

/**
 * The endpoints' context for `recur start`: secrets sealed under the link-signing key (and opened
 * under the one it replaced, LINK_SIGNING_SECRET_PREVIOUS, until sealed again), real DNS, real
 * time on signatures and leases.
 */
export function buildOutgoingWebhooks(config: Config, linkKey: string, allowPrivateTargets: boolean): OutgoingWebhooksContext {
  return {
    sealer: createSigningSecretSealer(linkKey, config.LINK_SIGNING_SECRET_PREVIOUS ?? null),
    allowPrivateTargets,
    timeoutMs: config.WEBHOOK_DELIVERY_TIMEOUT_SECONDS * 1000,
    defaultOverlapHours: config.WEBHOOK_SECRET_OVERLAP_HOURS,
    resolveHost: (hostname) => lookup(hostname, { all: true, verbatim: true }),
    realClock: systemClock,
    random: Math.random,
    metrics: createWebhookDeliveryMetrics(),
  };
}
