import type { InboxEvent } from '../../../../webhooks/inbox-event.ts';
import { parsePaypalEvent, textField } from './paypal-event-envelope.ts';
import { captureIdOf, disputeIdOf, orderIdOf, saleIdOf, subscriptionIdOf } from './paypal-event-ids.ts';

/**
 * The PayPal object an event is about, for grouping a batch: a subscription's own events and its
 * sales' share one group, so they are applied in arrival order and the subscription is read once.
 * The body only routes here; every fact applied still comes from PayPal's answer. Null: an event
 * that goes alone (a body that is not a PayPal event).
 */
export function paypalObjectOf(inboxEvent: InboxEvent): string | null {
  const event = parsePaypalEvent(inboxEvent.payload);
  if (typeof event === 'string') return null;
  const subscription = subscriptionIdOf(event);
  if (subscription) return `subscription:${subscription}`;
  const [kind, id] = event.type.startsWith('PAYMENT.SALE.')
    ? ['sale', saleIdOf(event)]
    : event.type.startsWith('PAYMENT.CAPTURE.')
      ? ['capture', captureIdOf(event)]
      : event.type.startsWith('CUSTOMER.DISPUTE.')
        ? ['dispute', disputeIdOf(event)]
        : event.type.startsWith('CHECKOUT.ORDER.')
          ? ['order', orderIdOf(event)]
          : [event.type, textField(event.resource, 'id')];
  return id ? `${kind}:${id}` : null;
}

/**
 * Subscriptions (with their sales) first, then everything else: a dispute of the same batch, and
 * the policy job it queues, find the disputed sale already recorded under its subscription.
 */
export function paypalStageOf(object: string): number {
  return object.startsWith('subscription:') ? 0 : 1;
}
