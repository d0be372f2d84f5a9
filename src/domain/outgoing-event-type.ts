/**
 * The events recur pushes to the shop's webhook endpoints (issue 14). Names follow
 * `{object}.{what happened}`; an endpoint subscribes to a list of them or to `*`.
 */
export const OUTGOING_EVENT_TYPES = [
  'customer.created',
  'customer.updated',
  'subscription.created',
  'subscription.trial_started',
  'subscription.activated',
  'subscription.renewed',
  'subscription.plan_changed',
  'subscription.past_due',
  'subscription.paused',
  'subscription.resumed',
  'subscription.cancel_scheduled',
  'subscription.canceled',
  'payment.succeeded',
  'payment.failed',
  'payment.refunded',
  'payment.disputed',
  'entitlement.changed',
] as const;

export type OutgoingEventType = (typeof OUTGOING_EVENT_TYPES)[number];

export const isOutgoingEventType = (value: string): value is OutgoingEventType => (OUTGOING_EVENT_TYPES as readonly string[]).includes(value);
