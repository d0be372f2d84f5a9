import { recordAudit } from '../../db/repositories/audit-log-repository.ts';
import { findNotification, resetNotificationForRetry, type NotificationRecord, type NotificationStatus } from '../../db/repositories/notification-query-repository.ts';
import { conflict, notFound } from '../../shared/errors.ts';
import type { Actor, ServiceContext } from '../service-context.ts';

// Only rows the sender gave up on. A sent, delivered or bounced notice went out (sending it again
// would reach the customer twice); pending and sending rows are still in the sender's hands;
// suppressed and canceled ones were not wanted.
const RETRYABLE: readonly NotificationStatus[] = ['dead', 'failed'];

/** Puts a dead or failed notice back in the queue, due now with its attempts reset, and logs who did it. */
export async function retryNotification(ctx: Pick<ServiceContext, 'db' | 'clock'>, id: string, actor: Actor): Promise<NotificationRecord> {
  const now = ctx.clock.now();
  return ctx.db.transaction(async (tx) => {
    const before = await findNotification(tx, id, { forUpdate: true });
    if (!before) throw notFound('notification', id);
    if (!RETRYABLE.includes(before.status)) throw conflict(`notification "${id}" is ${before.status}; only dead or failed notifications can be retried`);
    await resetNotificationForRetry(tx, id, now);
    const after = (await findNotification(tx, id))!;
    await recordAudit(tx, {
      at: now,
      actor,
      entity: 'notification',
      entityId: id,
      action: 'retry',
      before: { status: before.status, attempts: before.attempts, last_error: before.lastError, error_code: before.errorCode, provider_message_id: before.providerMessageId },
      after: { status: after.status, attempts: after.attempts, due_at: after.dueAt.toISOString() },
    });
    return after;
  });
}
