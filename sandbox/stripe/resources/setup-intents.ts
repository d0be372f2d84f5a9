import type Stripe from 'stripe';
import type { StripeRuntime } from '../runtime.ts';
import { CREATED_RANGE, PAGINATION, type SpecOf } from '../wire/accepted-params.ts';
import { declareRoutes, type RouteTable } from '../wire/api-routes.ts';
import { listPage, matchesRange, newestFirst } from '../wire/list.ts';
import { optionalString, requireString } from '../wire/params.ts';

/** What each route accepts (besides `expand`); anything else is answered 400 `parameter_unknown`. */
const ACCEPTS = {
  'GET /setup_intents/:id': { client_secret: true } satisfies SpecOf<Stripe.SetupIntentRetrieveParams>,
  'GET /setup_intents': { ...PAGINATION, ...CREATED_RANGE, customer: true, payment_method: true } satisfies SpecOf<Stripe.SetupIntentListParams>,
  'GET /setup_attempts': { ...PAGINATION, ...CREATED_RANGE, setup_intent: true } satisfies SpecOf<Stripe.SetupAttemptListParams>,
};

/**
 * Reading the SetupIntents Checkout made to save a payment method for a trial. Creating and
 * confirming them through the API is not emulated.
 */
export function setupIntentRoutes(rt: StripeRuntime): RouteTable {
  const { state } = rt;
  return declareRoutes(ACCEPTS, {
    'GET /setup_intents/:id': ({ path }) => state.setupIntents.require(path.id!),
    'GET /setup_intents': ({ params }) => {
      const customer = optionalString(params, 'customer');
      const paymentMethod = optionalString(params, 'payment_method');
      const items = state.setupIntents.filter((s) => (!customer || s.customer === customer) && (!paymentMethod || s.payment_method === paymentMethod) && matchesRange(s.created, params.created));
      return listPage(newestFirst(items), params, '/v1/setup_intents');
    },
    'GET /setup_attempts': ({ params }) => {
      const setupIntent = requireString(params, 'setup_intent');
      const items = state.setupAttempts.filter((a) => a.setup_intent === setupIntent && matchesRange(a.created, params.created));
      return listPage(newestFirst(items), params, '/v1/setup_attempts');
    },
  });
}
