import type { paths } from './schema.js';

type JsonOf<Operation> = Operation extends { responses: { 200: { content: { 'application/json': infer Body } } } } ? Body : never;

/** The objects events carry: as the API answers them. */
export type Customer = JsonOf<paths['/v1/customers/{id}']['get']>;
export type Subscription = JsonOf<paths['/v1/subscriptions/{id}']['get']>;
export type Payment = JsonOf<paths['/v1/payments']['get']>['data'][number];
export type Entitlement = JsonOf<paths['/v1/customers/{id}/entitlement']['get']>;

/** Every event type recur sends, and the object each one carries. */
export type RecurEventData = {
  'customer.created': Customer;
  'customer.updated': Customer;
  'subscription.created': Subscription;
  'subscription.trial_started': Subscription;
  'subscription.activated': Subscription;
  'subscription.renewed': Subscription;
  'subscription.plan_changed': Subscription;
  'subscription.past_due': Subscription;
  'subscription.paused': Subscription;
  'subscription.resumed': Subscription;
  'subscription.cancel_scheduled': Subscription;
  'subscription.canceled': Subscription;
  'payment.succeeded': Payment;
  'payment.failed': Payment;
  'payment.refunded': Payment;
  'payment.disputed': Payment;
  'entitlement.changed': Entitlement;
};

export type RecurEventType = keyof RecurEventData;

export const RECUR_EVENT_TYPES = [
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
] as const satisfies readonly RecurEventType[];

/** What recur adds to every event's object: the customer's sequence number and the shop's id of the customer. */
export type EventEnvelopeFields = { sequence: number; customer: string };

/**
 * One event as recur signs it (Standard Webhooks `{ type, timestamp, data }`): its type, when it
 * happened, and the full current object with the customer's sequence number (a receiver drops an
 * event whose sequence is not above the last one it applied for that customer, whatever the arrival
 * order), also given as `sequence` here for convenience. Narrow on `type` and `data` is typed:
 * `if (event.type === 'entitlement.changed') event.data.entitled`.
 */
export type RecurEvent = { [Type in RecurEventType]: { type: Type; timestamp: string; sequence: number; data: RecurEventData[Type] & EventEnvelopeFields } }[RecurEventType];

export const isRecurEventType = (value: unknown): value is RecurEventType => typeof value === 'string' && (RECUR_EVENT_TYPES as readonly string[]).includes(value);
