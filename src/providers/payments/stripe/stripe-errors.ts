import Stripe from 'stripe';
import { RecurError } from '../../../shared/errors.ts';

/** Stripe's own failures in recur's vocabulary; nothing above the adapter sees `Stripe.errors.*`. */
export function toRecurError(error: unknown, doing: string): unknown {
  if (!(error instanceof Stripe.errors.StripeError)) return error;
  if (error instanceof Stripe.errors.StripeRateLimitError) return new RecurError('provider_rate_limited', `Stripe is rate limiting recur while ${doing}`, { cause: error });
  if (error instanceof Stripe.errors.StripeInvalidRequestError || error instanceof Stripe.errors.StripeCardError) {
    return new RecurError('validation_failed', `Stripe refused ${doing}: ${error.message}`, { cause: error });
  }
  return new RecurError('provider_failure', `Stripe failed while ${doing}: ${error.message}`, { cause: error });
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
