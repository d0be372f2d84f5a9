import { Counter, Registry } from 'prom-client';

export type DeliveryOutcome = 'succeeded' | 'retry' | 'failed' | 'refused';

export type WebhookDeliveryMetrics = { registry: Registry; count(outcome: DeliveryOutcome): void };

/** `recur_webhook_deliveries_total{outcome}`, on a registry of its own that /metrics serves beside the HTTP one. */
export function createWebhookDeliveryMetrics(): WebhookDeliveryMetrics {
  const registry = new Registry();
  const attempts = new Counter({ name: 'recur_webhook_deliveries_total', help: "Delivery attempts to the shop's webhook endpoints, by outcome", labelNames: ['outcome'] as const, registers: [registry] });
  return { registry, count: (outcome) => attempts.inc({ outcome }) };
}
