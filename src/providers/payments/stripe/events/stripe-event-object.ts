import type { InboxEvent } from '../../../../webhooks/inbox-event.ts';
import { idField, type StripeObject } from './stripe-event-envelope.ts';

type Payload = { type?: unknown; data?: { object?: unknown } };

/**
 * The Stripe object an event is about, for grouping a batch: events about one subscription (its
 * own events, its invoices', its checkout's) share one group, so they are applied in arrival order
 * and its state is read once. The payload only routes here; every fact applied still comes from
 * Stripe's answer. Null: an event that goes alone.
 */
export function stripeObjectOf(event: InboxEvent): string | null {
  const payload = event.payload as Payload | null;
  const object = payload?.data?.object;
  if (!object || typeof object !== 'object' || Array.isArray(object)) return null;
  const fields = object as StripeObject;
  const type = typeof payload.type === 'string' ? payload.type : event.type;
  const subscription = subscriptionNamed(type, fields);
  if (subscription) return `subscription:${subscription}`;
  const intent = type.startsWith('payment_intent.') ? idField(fields, 'id') : idField(fields, 'payment_intent');
  if (intent) return `payment_intent:${intent}`;
  const id = idField(fields, 'id');
  return id ? `${type.split('.').slice(0, -1).join('.')}:${id}` : null;
}

function subscriptionNamed(type: string, object: StripeObject): string | null {
  if (type.startsWith('customer.subscription.')) return idField(object, 'id');
  if (type.startsWith('invoice.') || type.startsWith('checkout.session.')) {
    const parent = object['parent'] as { subscription_details?: { subscription?: unknown } | null } | null | undefined;
    const named = parent?.subscription_details?.subscription;
    if (typeof named === 'string' && named.length > 0) return named;
    return idField(object, 'subscription');
  }
  return null;
}

/**
 * Subscriptions first (their invoices link the payments to them), then everything else: a dispute,
 * a charge or a PaymentIntent of the same batch, and the policy job a dispute queues, find the
 * payment already under its subscription.
 */
export function stripeStageOf(object: string): number {
  return object.startsWith('subscription:') ? 0 : 1;
}
