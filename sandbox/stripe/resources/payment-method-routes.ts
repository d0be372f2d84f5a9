import type Stripe from 'stripe';
import { attachPaymentMethod, createPaymentMethod, detachPaymentMethod, resolvePaymentMethod } from '../payments/payment-methods.ts';
import type { StripeRuntime } from '../runtime.ts';
import { PAGINATION, type SpecOf } from '../wire/accepted-params.ts';
import { declareRoutes, type RouteTable } from '../wire/api-routes.ts';
import { listPage, newestFirst } from '../wire/list.ts';
import { mergeMetadata, optionalObject, optionalString, requireString } from '../wire/params.ts';
import { updateWithEvent } from '../events/record-update.ts';

/** What each route accepts (besides `expand`); anything else is answered 400 `parameter_unknown`. */
const BILLING_DETAILS = {
  address: { city: true, country: true, line1: true, line2: true, postal_code: true, state: true },
  email: true,
  name: true,
  phone: true,
} as const satisfies SpecOf<Stripe.PaymentMethodUpdateParams.BillingDetails>;
/** Also what a payment intent's `payment_method_data` takes. */
export const NEW_PAYMENT_METHOD = {
  billing_details: BILLING_DETAILS,
  card: { cvc: true, exp_month: true, exp_year: true, number: true, token: true },
  customer_balance: {},
  metadata: true,
  sepa_debit: { iban: true },
  type: true,
} as const satisfies SpecOf<Stripe.PaymentMethodCreateParams>;
const ACCEPTS = {
  'POST /payment_methods': NEW_PAYMENT_METHOD,
  'GET /payment_methods/:id': {} satisfies SpecOf<Stripe.PaymentMethodRetrieveParams>,
  'POST /payment_methods/:id': { billing_details: BILLING_DETAILS, metadata: true } satisfies SpecOf<Stripe.PaymentMethodUpdateParams>,
  'POST /payment_methods/:id/attach': { customer: true } satisfies SpecOf<Stripe.PaymentMethodAttachParams>,
  'POST /payment_methods/:id/detach': {} satisfies SpecOf<Stripe.PaymentMethodDetachParams>,
  'GET /payment_methods': { ...PAGINATION, customer: true, type: true } satisfies SpecOf<Stripe.PaymentMethodListParams>,
  'GET /customers/:id/payment_methods': { ...PAGINATION, type: true } satisfies SpecOf<Stripe.CustomerListPaymentMethodsParams>,
};

export function paymentMethodRoutes(rt: StripeRuntime): RouteTable {
  const { state } = rt;
  return declareRoutes(ACCEPTS, {
    'POST /payment_methods': ({ params }) => createPaymentMethod(rt, requireString(params, 'type'), params),
    'GET /payment_methods/:id': ({ path }) => resolvePaymentMethod(rt, path.id!, 'id'),
    'POST /payment_methods/:id': ({ path, params }) => {
      const paymentMethod = state.paymentMethods.require(path.id!);
      updateWithEvent(rt, 'payment_method.updated', paymentMethod, (pm) => {
        pm.metadata = mergeMetadata(pm.metadata, params);
        const details = optionalObject(params, 'billing_details');
        if (details) {
          for (const field of ['email', 'name', 'phone'] as const) {
            const value = optionalString(params, `billing_details.${field}`);
            if (value !== undefined) pm.billing_details[field] = value === '' ? null : value;
          }
        }
      });
      return paymentMethod;
    },
    'POST /payment_methods/:id/attach': ({ path, params }) => {
      const customer = state.customers.require(requireString(params, 'customer'), 'customer');
      return attachPaymentMethod(rt, resolvePaymentMethod(rt, path.id!, 'payment_method'), customer.id);
    },
    'POST /payment_methods/:id/detach': ({ path }) => detachPaymentMethod(rt, state.paymentMethods.require(path.id!)),
    'GET /payment_methods': ({ params }) => {
      const customer = optionalString(params, 'customer');
      const type = optionalString(params, 'type');
      const items = state.paymentMethods.filter((pm) => (!customer || pm.customer === customer) && (!type || pm.type === type));
      return listPage(newestFirst(items), params, '/v1/payment_methods');
    },
    'GET /customers/:id/payment_methods': ({ path, params }) => {
      const customer = state.customers.require(path.id!);
      const type = optionalString(params, 'type');
      const items = state.paymentMethods.filter((pm) => pm.customer === customer.id && (!type || pm.type === type));
      return listPage(newestFirst(items), params, `/v1/customers/${customer.id}/payment_methods`);
    },
  });
}
