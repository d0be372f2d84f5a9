import { recordAudit } from '../db/repositories/audit-log-repository.ts';
import { findInboxEvents, resetInboxEventForReplay, type InboxRecord, type InboxStatus } from '../db/repositories/webhook-inbox-repository.ts';
import type { Actor, ServiceContext } from '../services/service-context.ts';
import { conflict, notFound } from '../shared/errors.ts';

// A row still in the worker's hands (received, processing) or done with effects (processed) is
// not replayed: that would race the worker or apply effects twice.
const REPLAYABLE: readonly InboxStatus[] = ['dead', 'failed', 'ignored'];

/**
 * Puts a dead, failed or ignored event back to 'received' with its attempts reset, and logs who
 * did it. `idOrEventId` is recur's inbox id or the provider's event id.
 */
export async function replayInboxEvent(ctx: Pick<ServiceContext, 'db' | 'clock' | 'webhooks'>, idOrEventId: string, actor: Actor): Promise<InboxRecord> {
  const now = ctx.clock.now();
  const replayed = await ctx.db.transaction(async (tx) => {
    const matches = await findInboxEvents(tx, idOrEventId, { forUpdate: true });
    if (matches.length === 0) throw notFound('webhook event', idOrEventId);
    if (matches.length > 1) throw conflict(`several providers sent an event "${idOrEventId}"; replay it by its inbox id (${matches.map((m) => m.id).join(', ')})`);
    const before = matches[0]!;
    if (!REPLAYABLE.includes(before.status)) throw conflict(`webhook event ${before.id} is ${before.status}; only dead, failed or ignored events can be replayed`);
    const after = await resetInboxEventForReplay(tx, before.id);
    await recordAudit(tx, {
      at: now,
      actor,
      entity: 'webhook_event',
      entityId: String(before.id),
      action: 'replay',
      before: { status: before.status, attempts: before.attempts, last_error: before.lastError },
      after: { status: after.status, attempts: after.attempts },
    });
    return after;
  });
  // The replay is committed; if the wake-up fails, the minutely schedule picks the row up.
  await ctx.webhooks?.wakeWorker?.().catch(() => undefined);
  return replayed;
}
