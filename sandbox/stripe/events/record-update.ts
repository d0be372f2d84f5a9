import type Stripe from 'stripe';
import type { StripeRuntime } from '../runtime.ts';
import { previousAttributes } from './previous-attributes.ts';

type Subject = { id: string; object: string };

/**
 * Changes an object and, when something actually changed, records `<type>` with the previous
 * values. Returns whether it changed.
 */
export function updateWithEvent<T extends Subject>(rt: StripeRuntime, type: Stripe.Event.Type, subject: T, change: (subject: T) => void): boolean {
  const before = structuredClone(subject);
  change(subject);
  const previous = previousAttributes(before, subject);
  if (!previous) return false;
  rt.events.record(type, subject, previous);
  return true;
}
