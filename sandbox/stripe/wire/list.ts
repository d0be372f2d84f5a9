import type Stripe from 'stripe';
import type { Params } from './form-body.ts';
import { optionalInt, optionalString } from './params.ts';
import { stripeErrors } from './stripe-error.ts';

/** Stripe lists newest first; objects made in the same second keep reverse creation order. */
export function newestFirst<T>(items: readonly T[], createdOf: (item: T) => number = (item) => (item as { created: number }).created): T[] {
  return [...items].reverse().sort((a, b) => createdOf(b) - createdOf(a));
}

/** `created=123` or `created[gte]=…&created[lt]=…` (also used for other timestamp filters). */
export function matchesRange(value: number, filter: unknown): boolean {
  if (filter === undefined || filter === '') return true;
  if (typeof filter === 'string' || typeof filter === 'number') return value === Number(filter);
  if (typeof filter !== 'object' || filter === null) return true;
  const bounds = filter as Record<string, unknown>;
  const check = (key: string, test: (bound: number) => boolean) => bounds[key] === undefined || test(Number(bounds[key]));
  return check('gt', (b) => value > b) && check('gte', (b) => value >= b) && check('lt', (b) => value < b) && check('lte', (b) => value <= b);
}

/** One page of `items` (already filtered, newest first) with `limit`, `starting_after`, `ending_before`. */
export function listPage<T extends { id: string }>(items: readonly T[], params: Params, url: string): Stripe.ApiList<T> {
  const limit = optionalInt(params, 'limit', { min: 1, max: 100 }) ?? 10;
  const startingAfter = optionalString(params, 'starting_after');
  const endingBefore = optionalString(params, 'ending_before');
  if (startingAfter && endingBefore) throw stripeErrors.invalidRequest('You may only specify one of these parameters: starting_after, ending_before.', 'ending_before');
  const cursor = startingAfter ?? endingBefore;
  const at = cursor ? items.findIndex((item) => item.id === cursor) : -1;
  if (cursor && at < 0) throw stripeErrors.invalidRequest(`No such object: '${cursor}'`, startingAfter ? 'starting_after' : 'ending_before', 'resource_missing');
  if (endingBefore) {
    const from = Math.max(0, at - limit);
    return { object: 'list', data: items.slice(from, at), has_more: from > 0, url };
  }
  const from = at + 1;
  return { object: 'list', data: items.slice(from, from + limit), has_more: from + limit < items.length, url };
}
