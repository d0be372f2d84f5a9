import type Stripe from 'stripe';
import { updateWithEvent } from '../events/record-update.ts';
import type { StripeRuntime } from '../runtime.ts';
import { CREATED_RANGE, PAGINATION, type SpecOf } from '../wire/accepted-params.ts';
import { declareRoutes, type RouteTable } from '../wire/api-routes.ts';
import { listPage, matchesRange, newestFirst } from '../wire/list.ts';
import { mergeMetadata, nullableString, optionalString } from '../wire/params.ts';

/** What each route accepts (besides `expand`); anything else is answered 400 `parameter_unknown`. */
const ACCEPTS = {
  'GET /charges/:id': {} satisfies SpecOf<Stripe.ChargeRetrieveParams>,
  'POST /charges/:id': { description: true, metadata: true } satisfies SpecOf<Stripe.ChargeUpdateParams>,
  'GET /charges': { ...PAGINATION, ...CREATED_RANGE, customer: true, payment_intent: true } satisfies SpecOf<Stripe.ChargeListParams>,
};

export function chargeRoutes(rt: StripeRuntime): RouteTable {
  const { state } = rt;
  return declareRoutes(ACCEPTS, {
    'GET /charges/:id': ({ path }) => state.charges.require(path.id!),
    'POST /charges/:id': ({ path, params }) => {
      const charge = state.charges.require(path.id!);
      updateWithEvent(rt, 'charge.updated', charge, (c) => {
        c.metadata = mergeMetadata(c.metadata, params);
        const description = nullableString(params, 'description');
        if (description !== undefined) c.description = description;
      });
      return charge;
    },
    'GET /charges': ({ params }) => {
      const customer = optionalString(params, 'customer');
      const intent = optionalString(params, 'payment_intent');
      const items = state.charges.filter((c) => (!customer || c.customer === customer) && (!intent || c.payment_intent === intent) && matchesRange(c.created, params.created));
      return listPage(newestFirst(items), params, '/v1/charges');
    },
  });
}
