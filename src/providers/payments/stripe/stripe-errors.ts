import Stripe from 'stripe';
import { RecurError } from '../../../shared/errors.ts';

/** Stripe's own failures in recur's vocabulary; nothing above the adapter sees `Stripe.errors.*`. */
export function toRecurError(error: unknown, doing: string): unknown {
  if (!(error instanceof Stripe.errors.StripeError)) return error;
  if (error instanceof Stripe.errors.StripeRateLimitError) return new RecurError('provider_rate_limited', `Stripe is rate limiting recur while ${doing}`, { cause: error });
  if (isUnknownObject(error)) return missingAtStripe(error.message, doing, error);
  if (error instanceof Stripe.errors.StripeInvalidRequestError || error instanceof Stripe.errors.StripeCardError) {
    return new RecurError('validation_failed', `Stripe refused ${doing}: ${error.message}`, { cause: error });
  }
  return new RecurError('provider_failure', `Stripe failed while ${doing}: ${error.message}`, { cause: error });
}

// Stripe also files "this customer has no default payment method" under resource_missing; an
// unknown id is always worded "No such <object>: '<id>'".
function isUnknownObject(error: Stripe.errors.StripeError): boolean {
  return error instanceof Stripe.errors.StripeInvalidRequestError && error.code === 'resource_missing' && error.message.startsWith('No such ');
}

/**
 * recur sends Stripe only ids it holds (linked customers and subscriptions, synced prices), never
 * ids from a request, so Stripe not knowing one is not the caller's mistake: the link outlived the
 * object, or recur now talks to another account (or to a sandbox that lost its data).
 */
function missingAtStripe(stripeSays: string, doing: string, cause: unknown): RecurError {
  return new RecurError(
    'provider_failure',
    `Stripe does not have an object recur has linked (while ${doing}): "${stripeSays}". It was deleted at Stripe, or STRIPE_SECRET_KEY or STRIPE_API_BASE now points at another account or at a sandbox without that data; point recur back at the account that holds it`,
    { cause },
  );
}

export function isResourceMissing(error: unknown): boolean {
  return error instanceof Stripe.errors.StripeInvalidRequestError && (error.code === 'resource_missing' || error.statusCode === 404);
}

/** Runs one SDK call; a missing object is `null` when `missingIsNull`, every other failure a RecurError. */
export async function callStripe<T>(doing: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    throw toRecurError(error, doing);
  }
}

export async function retrieveOrNull<T>(doing: string, call: () => Promise<T>): Promise<T | null> {
  try {
    return await call();
  } catch (error) {
    if (isResourceMissing(error)) return null;
    throw toRecurError(error, doing);
  }
}
