import type { Queryable } from '../db/database.ts';
import { recordAudit } from '../db/repositories/audit-log-repository.ts';
import { enqueueAdminAlert } from '../db/repositories/notification-outbox-repository.ts';
import type { InboxEvent } from './inbox-event.ts';

export const DEAD_WEBHOOK_TEMPLATE = 'admin-alert-dead-webhook';

/**
 * The admin alert for an event that ran out of attempts, written in the transaction that marks it
 * dead: an audit entry always, and an e-mail in the outbox per configured admin (the sender
 * delivers it). The business key makes a second decision about the same event insert nothing.
 */
export async function recordDeadLetterAlert(
  tx: Queryable,
  event: InboxEvent,
  details: { message: string; now: Date; adminEmails: readonly string[]; locale: 'nl' | 'en' },
): Promise<void> {
  const { message, now } = details;
  await recordAudit(tx, {
    at: now,
    actor: 'webhook-worker',
    entity: 'webhook_event',
    entityId: String(event.id),
    action: 'dead_letter',
    before: { status: 'processing', attempts: event.attempt },
    after: { status: 'dead', provider: event.provider, provider_event_id: event.providerEventId, type: event.type },
    reason: message,
  });
  await enqueueAdminAlert(tx, {
    businessKey: `alert:webhook-dead:${event.provider}:${event.providerEventId}`,
    template: DEAD_WEBHOOK_TEMPLATE,
    payload: { inbox_id: event.id, provider: event.provider, provider_event_id: event.providerEventId, type: event.type, attempts: event.attempt, last_error: message },
    adminEmails: details.adminEmails,
    locale: details.locale,
    now,
  });
}
