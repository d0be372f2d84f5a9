import type Stripe from 'stripe';
import type { StripeRuntime } from '../runtime.ts';
import type { StoredEvent } from '../state/stripe-state.ts';
import { CREATED_RANGE, PAGINATION, type SpecOf } from '../wire/accepted-params.ts';
import { declareRoutes, type RouteTable } from '../wire/api-routes.ts';
import { listPage, matchesRange, newestFirst } from '../wire/list.ts';
import { optionalString, optionalStringArray } from '../wire/params.ts';
import { stripeErrors } from '../wire/stripe-error.ts';
import { EVENT_RETENTION_SECONDS } from './event-log.ts';

/** `type` may end in `*` (`customer.subscription.*`), as in Stripe's events list. */
function typeMatches(type: string, pattern: string): boolean {
  return pattern.endsWith('*') ? type.startsWith(pattern.slice(0, -1)) : type === pattern;
}

/** What each route accepts (besides `expand`); anything else is answered 400 `parameter_unknown`. */
const ACCEPTS = {
  'GET /events/:id': {} satisfies SpecOf<Stripe.EventRetrieveParams>,
  'GET /events': { ...PAGINATION, ...CREATED_RANGE, type: true, types: true } satisfies SpecOf<Stripe.EventListParams>,
};

export function eventRoutes(rt: StripeRuntime): RouteTable {
  const { state } = rt;
  const withLivePending = (event: StoredEvent, pending = rt.events.pendingWebhooks()): StoredEvent => ({ ...event, pending_webhooks: pending.get(event.id) ?? 0 });
  const visible = (event: StoredEvent) => event.created >= rt.time.sharedNow() - EVENT_RETENTION_SECONDS;
  return declareRoutes(ACCEPTS, {
    'GET /events/:id': ({ path }) => {
      const event = state.events.get(path.id!);
      if (!event || !visible(event)) throw stripeErrors.resourceMissing('event', path.id!);
      return withLivePending(event);
    },
    'GET /events': ({ params }) => {
      const type = optionalString(params, 'type');
      const types = optionalStringArray(params, 'types');
      if (type && types) throw stripeErrors.invalidRequest('You may only specify one of these parameters: type, types.', 'types');
      const items = state.events.filter(
        (event) =>
          visible(event) &&
          (!type || typeMatches(event.type, type)) &&
          (!types || types.some((pattern) => typeMatches(event.type, pattern))) &&
          matchesRange(event.created, params.created),
      );
      const page = listPage(newestFirst(items), params, '/v1/events');
      const pending = rt.events.pendingWebhooks();
      return { ...page, data: page.data.map((event) => withLivePending(event, pending)) };
    },
  });
}
