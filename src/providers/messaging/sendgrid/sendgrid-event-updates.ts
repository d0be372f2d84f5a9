import type { DeliveryUpdate } from '../messaging.ts';

/**
 * SendGrid's delivery events and what each says about a mail. Engagement events (open, click,
 * spam_report, unsubscribe, group_unsubscribe, group_resubscribe) are left out on purpose: they
 * come after delivery and say nothing about it, and an 'open' must never move a bounced row.
 * A bounce with `type: blocked` is still a bounce: SendGrid does not retry it either.
 */
const outcomeByEvent: Record<string, DeliveryUpdate['outcome']> = {
  processed: 'accepted',
  deferred: 'pending',
  delivered: 'delivered',
  bounce: 'bounced',
  dropped: 'failed',
};

/** Long enough for an SMTP answer, short enough that a hostile field cannot fill a row. */
const MAX_DETAIL_LENGTH = 500;

type SendgridEvent = Record<string, unknown> & { event: string };

/**
 * A verified Event Webhook body (a JSON array of event objects) as delivery updates, in the
 * order SendGrid listed them; null when the body is not such an array. Custom args arrive as
 * top-level fields, so `outbox_id` is the reference the sender put in.
 */
export function toDeliveryUpdates(json: unknown, receivedAt: Date): DeliveryUpdate[] | null {
  if (!Array.isArray(json) || !json.every(isEvent)) return null;
  return json.flatMap((event): DeliveryUpdate[] => {
    const outcome = outcomeByEvent[event.event];
    if (!outcome) return [];
    return [
      {
        channel: 'email',
        reference: typeof event.outbox_id === 'string' ? event.outbox_id : null,
        providerMessageId: messageIdOf(event.sg_message_id),
        event: event.event,
        outcome,
        detail: detailOf(event),
        optedOut: false,
        at: typeof event.timestamp === 'number' && Number.isFinite(event.timestamp) ? new Date(event.timestamp * 1000) : receivedAt,
      },
    ];
  });
}

function isEvent(value: unknown): value is SendgridEvent {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && typeof (value as { event?: unknown }).event === 'string';
}

/** sg_message_id is "{X-Message-Id}.{filter and recipient suffix}": the part the send returned. */
function messageIdOf(sgMessageId: unknown): string | null {
  if (typeof sgMessageId !== 'string' || sgMessageId === '') return null;
  return sgMessageId.split('.')[0] || null;
}

/** The receiving server's answer or SendGrid's reason; never anything of the mail itself. */
function detailOf(event: SendgridEvent): string | null {
  const detail = [event.reason, event.response, event.status].find((value): value is string => typeof value === 'string' && value !== '');
  return detail === undefined ? null : detail.slice(0, MAX_DETAIL_LENGTH);
}
