import type { IncomingHttpHeaders } from 'node:http';
import { insertParkedInboxEvent } from '../db/repositories/webhook-inbox-repository.ts';
import type { ProviderId } from '../domain/provider.ts';
import type { ServiceContext } from '../services/service-context.ts';
import { inboxInsertBatcherFor } from './inbox-insert-batcher.ts';
import { recordDeadLetterAlert } from './record-dead-letter-alert.ts';
import { toStorableEvent } from './storable-event.ts';
import type { VerifiedEvent } from './webhook-verifier.ts';

/** Every way one delivery can end; the route maps each to a status with an exhaustive switch. */
export type IngestOutcome =
  | { outcome: 'accepted'; providerEventId: string }
  | { outcome: 'duplicate'; providerEventId: string }
  /** Stored, never to be processed (nested too deep to store): 200, so the provider stops sending it. */
  | { outcome: 'parked'; providerEventId: string; reason: string }
  | { outcome: 'not-configured' }
  | { outcome: 'too-large'; limitBytes: number }
  | { outcome: 'bad-signature' }
  | { outcome: 'malformed' }
  /** The verifier could not decide (a signing certificate it could not fetch): nothing stored, 503 so the provider retries. */
  | { outcome: 'verification-unavailable' }
  | { outcome: 'store-failed'; error: unknown };

const FAILED_VERIFICATION = { 'bad-signature': 'bad-signature', malformed: 'malformed', unavailable: 'verification-unavailable' } as const;

export type IngestDelivery = { provider: ProviderId; raw: Buffer; headers: IncomingHttpHeaders };

/**
 * Verify, then store, then (only then) acknowledge: the event is durable before the provider
 * hears 2xx, and a failed insert is reported so the provider delivers it again. Concurrent
 * deliveries share one committed INSERT (inbox-insert-batcher.ts); each waits for its own row.
 */
export async function ingestWebhook(ctx: Pick<ServiceContext, 'db' | 'clock' | 'webhooks' | 'config'>, delivery: IngestDelivery): Promise<IngestOutcome> {
  const verify = ctx.webhooks?.verifiers[delivery.provider];
  if (!ctx.webhooks || !verify) return { outcome: 'not-configured' };
  if (delivery.raw.length > ctx.webhooks.bodyLimitBytes) return { outcome: 'too-large', limitBytes: ctx.webhooks.bodyLimitBytes };
  const receivedAt = ctx.clock.now();
  const verified = await verify(delivery.raw, delivery.headers, receivedAt);
  if (!verified.ok) return { outcome: FAILED_VERIFICATION[verified.reason] };

  const { event, parkedReason } = toStorableEvent(verified.event);
  let inserted: boolean;
  try {
    inserted = parkedReason === null ? await inboxInsertBatcherFor(ctx.db).insert({ provider: delivery.provider, ...event }, receivedAt) : await storeParkedEvent(ctx, delivery.provider, event, parkedReason, receivedAt);
  } catch (error) {
    return { outcome: 'store-failed', error };
  }
  if (!inserted) return { outcome: 'duplicate', providerEventId: event.providerEventId };
  if (parkedReason !== null) return { outcome: 'parked', providerEventId: event.providerEventId, reason: parkedReason };
  return { outcome: 'accepted', providerEventId: event.providerEventId };
}

/** The row and its dead-letter alert in one transaction, as the worker records a dead event. */
async function storeParkedEvent(ctx: Pick<ServiceContext, 'db' | 'webhooks' | 'config'>, provider: ProviderId, event: VerifiedEvent, reason: string, receivedAt: Date): Promise<boolean> {
  return ctx.db.transaction(async (tx) => {
    const id = await insertParkedInboxEvent(tx, { provider, ...event }, reason, receivedAt);
    if (id === null) return false;
    const parked = { id, provider, providerEventId: event.providerEventId, type: event.type, payload: event.payload, attempt: 0, receivedAt };
    await recordDeadLetterAlert(tx, parked, { message: reason, now: receivedAt, adminEmails: ctx.webhooks?.adminEmails ?? [], locale: ctx.config.DEFAULT_LOCALE });
    return true;
  });
}
