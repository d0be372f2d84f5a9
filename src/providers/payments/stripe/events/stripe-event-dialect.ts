import type { ProviderEventDialect } from '../../provider-event-dialect.ts';
import { parseStripeEvent, type StripeEventEnvelope } from './stripe-event-envelope.ts';
import { stripeEventHandlers } from './stripe-event-handlers.ts';
import { stripeObjectOf, stripeStageOf } from './stripe-event-object.ts';

export type DatedStripeEvent = StripeEventEnvelope & { datedAt: Date };

/**
 * Stripe's events for the event processor. The version of a snapshot is the event's `created`, not
 * the moment of the read: the read is made after the event existed, so it is at least as new as the
 * event, and tagging it with the event's time keeps the guard on Stripe's own clock (recur's clock
 * and Stripe's need not agree; Stripe objects carry no time of their last change). Of two events for
 * one subscription, the later one (by `created`) wins, and it carries a read made no earlier than
 * the other's. The one gap: a slow read of a newer event overtaken by a faster read of an older one;
 * the next event or the reconciliation run repairs that.
 */
export const stripeEventDialect: ProviderEventDialect<DatedStripeEvent> = {
  provider: 'stripe',
  // A body that is not a Stripe event throws: it is retried, then dead (a bug worth seeing).
  parse: (payload) => {
    const event = parseStripeEvent(payload);
    return { ...event, datedAt: new Date(event.created * 1000) };
  },
  handlers: stripeEventHandlers,
  versionOf: (event) => event.datedAt,
  objectOf: stripeObjectOf,
  stageOf: stripeStageOf,
};
