import type { ProviderEventDialect } from '../../provider-event-dialect.ts';
import { parsePaypalEvent, type PaypalEventEnvelope } from './paypal-event-envelope.ts';
import { paypalEventHandlers } from './paypal-event-handlers.ts';
import { paypalObjectOf, paypalStageOf } from './paypal-event-object.ts';

/**
 * PayPal's events for the event processor. PayPal sends them out of order, more than once, and
 * some never (a CANCELLED is known to go missing), so no handler believes a body: each re-reads
 * the subscription, sale, capture or dispute, and what it writes is PayPal's state at that read.
 *
 * The version a snapshot is written under is the event's `create_time`. The read is made after the
 * event existed, so the state written is at least as new as the event, and of two events about one
 * subscription the later one wins with a read no older than the other's; on PayPal's own clock,
 * which recur's need not agree with. Not a resource's `update_time`: the body's is the body's word
 * about the body's object (ADR 0013), and a read's is the time of one object, while one event
 * writes several (a sale's event writes the sale and its subscription), and PayPal does not say
 * which billing changes move it. Two events in one second (PayPal dates to the second: a failed
 * payment and the suspension it causes) still both apply, as the repository applies a different
 * state under an equal version (ADR 0003). A body dated after its arrival is ignored by the
 * processor. The dates of facts (past due since, cancelled at, paid at) come from the read objects,
 * never from this version (ADR 0009).
 */
export const paypalEventDialect: ProviderEventDialect<PaypalEventEnvelope> = {
  provider: 'paypal',
  parse: parsePaypalEvent,
  handlers: paypalEventHandlers,
  versionOf: (event) => event.datedAt,
  objectOf: paypalObjectOf,
  stageOf: paypalStageOf,
};
