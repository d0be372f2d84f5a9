import { newEventId, type EventType, type SendgridEvent } from './event-webhook.ts';
import { outcomeFor } from './magic-addresses.ts';
import { summarize, type RecipientStatus, type StoredMail } from './mail-store.ts';

const outcomeFields: Record<'delivered' | 'bounce' | 'dropped', Record<string, unknown>> = {
  delivered: { response: '250 OK', ip: '127.0.0.1', tls: 1 },
  bounce: {
    reason: '550 5.1.1 The email account that you tried to reach does not exist.',
    status: '5.1.1',
    type: 'bounce',
    bounce_classification: 'Invalid Address',
    ip: '127.0.0.1',
    tls: 1,
  },
  dropped: { reason: 'Bounced Address', status: '5.0.0' },
};

const statusAfter: Record<'delivered' | 'bounce' | 'dropped', RecipientStatus> = { delivered: 'delivered', bounce: 'bounced', dropped: 'dropped' };

/**
 * Plays out one envelope at `nowSeconds`: every recipient is processed and then delivered or
 * bounced, or dropped without being processed (see magic-addresses.ts). Returns the events in
 * the order SendGrid raises them. Custom args ride along as top-level fields of each event, and
 * `category` is a string for one category and an array for several, both as SendGrid posts them.
 */
export function deliverMail(mail: StoredMail, nowSeconds: number): SendgridEvent[] {
  const events: SendgridEvent[] = [];
  const common = (email: string, index: number, event: EventType): SendgridEvent => ({
    ...mail.custom_args,
    email,
    timestamp: nowSeconds,
    'smtp-id': `<${mail.message_id}@sandbox.recur>`,
    event,
    ...(mail.categories.length === 1 ? { category: mail.categories[0] } : mail.categories.length > 1 ? { category: mail.categories } : {}),
    sg_event_id: newEventId(),
    sg_message_id: `${mail.id}.filter0001.${index}.0`,
  });
  mail.recipients.forEach((recipient, index) => {
    const outcome = outcomeFor(recipient.email);
    if (outcome !== 'dropped') events.push(common(recipient.email, index, 'processed'));
    events.push({ ...common(recipient.email, index, outcome), ...outcomeFields[outcome] });
    recipient.status = statusAfter[outcome];
  });
  summarize(mail);
  return events;
}
