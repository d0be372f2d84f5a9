import type Stripe from 'stripe';
import type { StripeRuntime } from '../runtime.ts';
import { newId } from '../state/ids.ts';
import { type SpecOf } from '../wire/accepted-params.ts';
import { declareRoutes, type RouteTable } from '../wire/api-routes.ts';
import { optionalString, requireString } from '../wire/params.ts';

/** What each route accepts (besides `expand`); anything else is answered 400 `parameter_unknown`. */
const ACCEPTS = {
  'POST /billing_portal/sessions': { configuration: true, customer: true, locale: true, return_url: true } satisfies SpecOf<Stripe.BillingPortal.SessionCreateParams>,
};

export function billingPortalRoutes(rt: StripeRuntime): RouteTable {
  const { state } = rt;
  return declareRoutes(ACCEPTS, {
    'POST /billing_portal/sessions': ({ params }) => {
      const customer = state.customers.require(requireString(params, 'customer'), 'customer');
      const id = newId('bps');
      const session: Stripe.BillingPortal.Session = {
        id,
        object: 'billing_portal.session',
        configuration: optionalString(params, 'configuration') ?? 'bpc_recur_sandbox',
        created: rt.time.sharedNow(),
        customer: customer.id,
        customer_account: null,
        flow: null,
        livemode: false,
        locale: (optionalString(params, 'locale') as Stripe.BillingPortal.Session.Locale | undefined) ?? null,
        on_behalf_of: null,
        return_url: optionalString(params, 'return_url') ?? null,
        url: `${rt.sandbox.baseUrl()}/stripe/billing_portal/${id}`,
      };
      return state.portalSessions.add(session);
    },
  });
}
