import { idField, parseStripeEvent } from './events/stripe-event-envelope.ts';
import { stripeEventHandlers } from './events/stripe-event-handlers.ts';

/**
 * What applying one Stripe event would do, as far as a reconciliation run can tell without
 * applying it:
 * - `unused`: recur has no handler for its type; the worker would only mark it ignored.
 * - `subscription`: its whole effect is re-reading that subscription (and its customer) and
 *   recording it, the same write the run's subscription pass makes.
 * - `other`: it touches something else (an invoice's payment, a charge, a dispute, a checkout
 *   session), or its body cannot be read: only the worker may decide.
 */
export type RecoveredEventSubject = { kind: 'unused' } | { kind: 'subscription'; subscriptionId: string } | { kind: 'other' };

/** The types whose handler reads the subscription named by the object's `id` and nothing else. */
const SUBSCRIPTION_EVENT_TYPES: ReadonlySet<string> = new Set([
  'customer.subscription.created',
  'customer.subscription.updated',
  'customer.subscription.deleted',
  'customer.subscription.paused',
  'customer.subscription.resumed',
  'customer.subscription.trial_will_end',
]);

/**
 * `invoice.upcoming` previews an invoice Stripe does not store: its handler reads back only the
 * subscription it names (in `parent.subscription_details`, else `subscription`).
 */
function upcomingInvoiceSubscription(object: Record<string, unknown>): string | null {
  const parent = object['parent'] as { subscription_details?: { subscription?: unknown } | null } | null | undefined;
  const named = parent?.subscription_details?.subscription;
  if (typeof named === 'string' && named.length > 0) return named;
  return idField(object, 'subscription');
}

export function recoveredEventSubject(payload: unknown): RecoveredEventSubject {
  let event;
  try {
    event = parseStripeEvent(payload);
  } catch {
    // The worker fails such a body and keeps it for a person; that is not for the run to settle.
    return { kind: 'other' };
  }
  if (!stripeEventHandlers.has(event.type)) return { kind: 'unused' };
  const subscriptionId = SUBSCRIPTION_EVENT_TYPES.has(event.type) ? idField(event.data.object, 'id') : event.type === 'invoice.upcoming' ? upcomingInvoiceSubscription(event.data.object) : null;
  return subscriptionId ? { kind: 'subscription', subscriptionId } : { kind: 'other' };
}
