import { Webhook } from 'standardwebhooks';
import type { ClaimedDelivery } from '../../db/repositories/webhook-delivery-repository.ts';
import type { WebhookEndpointRecord } from '../../db/repositories/webhook-endpoint-repository.ts';
import type { SigningSecretSealer } from './signing-secret-sealer.ts';

export type WebhookMessage = { body: string; headers: Record<string, string> };

/**
 * The Standard Webhooks payload `{ type, timestamp, data }`: `timestamp` is the time of the fact,
 * `data` the recorded object with the customer's sequence number and the shop's external id.
 */
export function buildWebhookPayload(event: ClaimedDelivery['event']): string {
  return JSON.stringify({ type: event.type, timestamp: event.occurredAt.toISOString(), data: { ...event.data, sequence: event.sequence, customer: event.customer } });
}

/** The secrets that sign now: the current one, and the previous one until its overlap ends. */
export function activeSigningSecrets(endpoint: WebhookEndpointRecord, sealer: SigningSecretSealer, now: Date): string[] {
  const secrets = [sealer.open(endpoint.secretSealed)];
  if (endpoint.previousSecretSealed && endpoint.previousSecretExpiresAt && endpoint.previousSecretExpiresAt.getTime() > now.getTime()) {
    secrets.push(sealer.open(endpoint.previousSecretSealed));
  }
  return secrets;
}

/**
 * Signed with each active secret; the signatures go space-separated in one `webhook-signature`,
 * as the specification allows, so a receiver holding either secret verifies during a rotation.
 */
export function signWebhookMessage(input: { eventId: string; payload: string; secrets: string[]; signedAt: Date }): WebhookMessage {
  const signatures = input.secrets.map((secret) => new Webhook(secret).sign(input.eventId, input.signedAt, input.payload));
  return {
    body: input.payload,
    headers: { 'webhook-id': input.eventId, 'webhook-timestamp': String(Math.floor(input.signedAt.getTime() / 1000)), 'webhook-signature': signatures.join(' ') },
  };
}
