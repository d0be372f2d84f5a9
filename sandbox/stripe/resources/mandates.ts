import type Stripe from 'stripe';
import type { StripeRuntime } from '../runtime.ts';
import type { SpecOf } from '../wire/accepted-params.ts';
import { declareRoutes, type RouteTable } from '../wire/api-routes.ts';

/** What each route accepts (besides `expand`); anything else is answered 400 `parameter_unknown`. */
const ACCEPTS = {
  'GET /mandates/:id': {} satisfies SpecOf<Stripe.MandateRetrieveParams>,
};

/** Mandates are made by the hosted pages (SEPA Direct Debit, iDEAL, Bancontact); Stripe's API only reads them. */
export function mandateRoutes(rt: StripeRuntime): RouteTable {
  return declareRoutes(ACCEPTS, {
    'GET /mandates/:id': ({ path }) => rt.state.mandates.require(path.id!),
  });
}
