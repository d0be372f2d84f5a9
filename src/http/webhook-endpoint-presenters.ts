import { z } from 'zod';
import { WEBHOOK_DELIVERY_STATUSES } from '../db/repositories/webhook-delivery-repository.ts';
import type { WebhookDeliveryRecord } from '../db/repositories/webhook-delivery-log-repository.ts';
import type { WebhookEndpointRecord } from '../db/repositories/webhook-endpoint-repository.ts';

const timestamp = z.iso.datetime();
const iso = (date: Date | null): string | null => (date ? date.toISOString() : null);

export const webhookEndpointJson = z.object({
  id: z.uuid(),
  url: z.string(),
  event_types: z.array(z.string()).describe('event type names, or ["*"] for all'),
  description: z.string().nullable(),
  enabled: z.boolean(),
  disabled_reason: z.string().nullable().describe('why recur disabled it (deliveries failing for days), or that it was disabled through the API'),
  previous_secret_expires_at: timestamp.nullable().describe('until then the secret before the last rotation signs too'),
  consecutive_failures: z.number().int(),
  failing_since: timestamp.nullable(),
  created_at: timestamp,
  updated_at: timestamp,
});

export const webhookEndpointExample: z.output<typeof webhookEndpointJson> = {
  id: '7f3c2a10-4b5d-4e6f-8a9b-0c1d2e3f4a5b',
  url: 'https://shop.example/hooks/recur',
  event_types: ['entitlement.changed', 'payment.failed'],
  description: 'Shop backend',
  enabled: true,
  disabled_reason: null,
  previous_secret_expires_at: null,
  consecutive_failures: 0,
  failing_since: null,
  created_at: '2026-03-01T10:00:00.000Z',
  updated_at: '2026-03-01T10:00:00.000Z',
};

export const presentWebhookEndpoint = (endpoint: WebhookEndpointRecord): z.infer<typeof webhookEndpointJson> => ({
  id: endpoint.id,
  url: endpoint.url,
  event_types: endpoint.eventTypes,
  description: endpoint.description,
  enabled: endpoint.enabled,
  disabled_reason: endpoint.disabledReason,
  previous_secret_expires_at: iso(endpoint.previousSecretExpiresAt),
  consecutive_failures: endpoint.consecutiveFailures,
  failing_since: iso(endpoint.failingSince),
  created_at: endpoint.createdAt.toISOString(),
  updated_at: endpoint.updatedAt.toISOString(),
});

const attemptJson = z.object({
  status_code: z.number().int().nullable().describe('null when no answer came (refused target, connection error, timeout)'),
  latency_ms: z.number().int(),
  response_excerpt: z.string().nullable().describe('the first 1000 characters of the answer'),
  error: z.string().nullable(),
  attempted_at: timestamp,
});

export const webhookDeliveryJson = z.object({
  id: z.uuid(),
  endpoint_id: z.uuid(),
  event_id: z.string().describe('the webhook-id: the same on every attempt and replay'),
  event_type: z.string(),
  origin: z.enum(['fan-out', 'replay']),
  status: z.enum(WEBHOOK_DELIVERY_STATUSES),
  attempts: z.number().int(),
  next_attempt_at: timestamp.nullable(),
  last_status_code: z.number().int().nullable(),
  last_error: z.string().nullable(),
  created_at: timestamp,
  updated_at: timestamp,
  attempt_log: z.array(attemptJson).describe('oldest first'),
});

export const webhookDeliveryExample: z.output<typeof webhookDeliveryJson> = {
  id: '2b7e4f6a-9c1d-4e3f-8a5b-6c7d8e9f0a1b',
  endpoint_id: webhookEndpointExample.id,
  event_id: 'evt_5f0e8c1a2b3d4e5f6a7b8c9d0e1f2a3b',
  event_type: 'entitlement.changed',
  origin: 'fan-out',
  status: 'succeeded',
  attempts: 2,
  next_attempt_at: null,
  last_status_code: 204,
  last_error: null,
  created_at: '2026-03-01T10:00:00.000Z',
  updated_at: '2026-03-01T10:01:03.000Z',
  attempt_log: [
    { status_code: 503, latency_ms: 41, response_excerpt: 'upstream unavailable', error: 'HTTP 503', attempted_at: '2026-03-01T10:00:01.000Z' },
    { status_code: 204, latency_ms: 12, response_excerpt: '', error: null, attempted_at: '2026-03-01T10:01:03.000Z' },
  ],
};

export const presentWebhookDelivery = (delivery: WebhookDeliveryRecord): z.infer<typeof webhookDeliveryJson> => ({
  id: delivery.id,
  endpoint_id: delivery.endpointId,
  event_id: delivery.eventId,
  event_type: delivery.eventType,
  origin: delivery.origin,
  status: delivery.status,
  attempts: delivery.attempts,
  next_attempt_at: iso(delivery.nextAttemptAt),
  last_status_code: delivery.lastStatusCode,
  last_error: delivery.lastError,
  created_at: delivery.createdAt.toISOString(),
  updated_at: delivery.updatedAt.toISOString(),
  attempt_log: delivery.attemptLog.map((attempt) => ({
    status_code: attempt.statusCode,
    latency_ms: attempt.latencyMs,
    response_excerpt: attempt.responseExcerpt,
    error: attempt.error,
    attempted_at: attempt.at.toISOString(),
  })),
});
