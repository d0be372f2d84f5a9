import type { IncomingHttpHeaders } from 'node:http';
import { insertInboxEvent } from '../db/repositories/webhook-inbox-repository.ts';
import type { ProviderId } from '../domain/provider.ts';
import type { ServiceContext } from '../services/service-context.ts';

/** Every way one delivery can end; the route maps each to a status with an exhaustive switch. */
export type IngestOutcome =
  | { outcome: 'accepted'; providerEventId: string }
  | { outcome: 'duplicate'; providerEventId: string }
  | { outcome: 'not-configured' }
  | { outcome: 'too-large'; limitBytes: number }
  | { outcome: 'bad-signature' }
  | { outcome: 'malformed' }
  | { outcome: 'store-failed'; error: unknown };

export type IngestDelivery = { provider: ProviderId; raw: Buffer; headers: IncomingHttpHeaders };

/**
 * Verify, then store, then (only then) acknowledge: the event is durable before the provider
 * hears 2xx, and a failed insert is reported so the provider delivers it again.
 */
export async function ingestWebhook(ctx: Pick<ServiceContext, 'db' | 'clock' | 'webhooks'>, delivery: IngestDelivery): Promise<IngestOutcome> {
  const verify = ctx.webhooks?.verifiers[delivery.provider];
  if (!ctx.webhooks || !verify) return { outcome: 'not-configured' };
  if (delivery.raw.length > ctx.webhooks.bodyLimitBytes) return { outcome: 'too-large', limitBytes: ctx.webhooks.bodyLimitBytes };
  const receivedAt = ctx.clock.now();
  const verified = verify(delivery.raw, delivery.headers, receivedAt);
  if (!verified.ok) return verified.reason === 'malformed' ? { outcome: 'malformed' } : { outcome: 'bad-signature' };

  const { event } = verified;
  let inserted: boolean;
  try {
    inserted = await insertInboxEvent(ctx.db, { provider: delivery.provider, ...event }, receivedAt);
  } catch (error) {
    return { outcome: 'store-failed', error };
  }
  if (!inserted) return { outcome: 'duplicate', providerEventId: event.providerEventId };
  return { outcome: 'accepted', providerEventId: event.providerEventId };
}
