import type Stripe from 'stripe';
import { endSubscription } from '../billing/end-subscription.ts';
import { updateWithEvent } from '../events/record-update.ts';
import { attachPaymentMethod, checkAttachable, resolvePaymentMethod } from '../payments/payment-methods.ts';
import type { StripeRuntime } from '../runtime.ts';
import { newId, randomBase62 } from '../state/ids.ts';
import { CREATED_RANGE, PAGINATION, type SpecOf } from '../wire/accepted-params.ts';
import { declareRoutes, type RouteTable } from '../wire/api-routes.ts';
import type { Params } from '../wire/form-body.ts';
import { listPage, matchesRange, newestFirst } from '../wire/list.ts';
import { has, mergeMetadata, nullableString, optionalObject, optionalString, optionalStringArray } from '../wire/params.ts';
import { stripeErrors } from '../wire/stripe-error.ts';

function address(params: Params, path: string): Stripe.Address | null | undefined {
  if (!has(params, path)) return undefined;
  const value = optionalObject(params, path);
  if (!value) return null;
  const field = (name: string) => (typeof value[name] === 'string' ? (value[name] as string) : null);
  return { city: field('city'), country: field('country'), line1: field('line1'), line2: field('line2'), postal_code: field('postal_code'), state: field('state') };
}

/** Sets the writable fields shared by create and update. */
function applyFields(rt: StripeRuntime, customer: Stripe.Customer, params: Params, resolved: Map<string, Stripe.PaymentMethod>): void {
  for (const field of ['email', 'name', 'description', 'phone'] as const) {
    const value = nullableString(params, field);
    if (value !== undefined) customer[field] = value;
  }
  customer.metadata = mergeMetadata(customer.metadata, params);
  const newAddress = address(params, 'address');
  if (newAddress !== undefined) customer.address = newAddress;
  const locales = optionalStringArray(params, 'preferred_locales');
  if (locales) customer.preferred_locales = locales;
  const defaultMethod = nullableString(params, 'invoice_settings.default_payment_method');
  if (defaultMethod === null) customer.invoice_settings.default_payment_method = null;
  else if (defaultMethod !== undefined) {
    const paymentMethod = resolved.get(defaultMethod) ?? resolvePaymentMethod(rt, defaultMethod, 'invoice_settings[default_payment_method]');
    if (paymentMethod.customer !== customer.id && !resolved.has(defaultMethod)) {
      throw stripeErrors.invalidRequest(
        `The customer does not have a payment method with the ID ${paymentMethod.id}. The payment method must be attached to the customer.`,
        'invoice_settings[default_payment_method]',
        'resource_missing',
      );
    }
    customer.invoice_settings.default_payment_method = paymentMethod.id;
  }
}

export function createCustomer(rt: StripeRuntime, params: Params): Stripe.Customer {
  const testClock = optionalString(params, 'test_clock');
  if (testClock) rt.state.testClocks.require(testClock, 'test_clock');
  const customer: Stripe.Customer = {
    id: newId('cus', 14),
    object: 'customer',
    address: null,
    balance: 0,
    created: rt.time.nowOnClock(testClock ?? null),
    currency: null,
    default_source: null,
    delinquent: false,
    description: null,
    discount: null,
    email: null,
    invoice_prefix: randomBase62(8).toUpperCase(),
    invoice_settings: { custom_fields: null, default_payment_method: null, footer: null, rendering_options: null },
    livemode: false,
    metadata: {},
    name: null,
    next_invoice_sequence: 1,
    phone: null,
    preferred_locales: [],
    shipping: null,
    tax_exempt: 'none',
    test_clock: testClock ?? null,
  };
  // The same test token given as payment_method and as default means one new payment method.
  const resolved = new Map<string, Stripe.PaymentMethod>();
  const token = optionalString(params, 'payment_method');
  const paymentMethod = token ? resolvePaymentMethod(rt, token, 'payment_method') : undefined;
  if (token && paymentMethod) {
    checkAttachable(paymentMethod, customer.id);
    resolved.set(token, paymentMethod);
  }
  applyFields(rt, customer, params, resolved);
  rt.state.customers.add(customer);
  rt.events.record('customer.created', customer);
  if (paymentMethod) attachPaymentMethod(rt, paymentMethod, customer.id);
  return customer;
}

function deletedCustomer(id: string) {
  return { id, object: 'customer', deleted: true };
}

/** What each route accepts (besides `expand`); anything else is answered 400 `parameter_unknown`. */
const ADDRESS = { city: true, country: true, line1: true, line2: true, postal_code: true, state: true } as const satisfies SpecOf<Stripe.AddressParam>;
const CUSTOMER_FIELDS = {
  address: ADDRESS,
  description: true,
  email: true,
  invoice_settings: { default_payment_method: true },
  metadata: true,
  name: true,
  phone: true,
  preferred_locales: true,
} as const satisfies SpecOf<Stripe.CustomerUpdateParams>;
const ACCEPTS = {
  'POST /customers': { ...CUSTOMER_FIELDS, payment_method: true, test_clock: true } satisfies SpecOf<Stripe.CustomerCreateParams>,
  'GET /customers/:id': {} satisfies SpecOf<Stripe.CustomerRetrieveParams>,
  'POST /customers/:id': CUSTOMER_FIELDS,
  'DELETE /customers/:id': {} satisfies SpecOf<Stripe.CustomerDeleteParams>,
  'GET /customers': { ...PAGINATION, ...CREATED_RANGE, email: true, test_clock: true } satisfies SpecOf<Stripe.CustomerListParams>,
};

export function customerRoutes(rt: StripeRuntime): RouteTable {
  const { state } = rt;
  return declareRoutes(ACCEPTS, {
    'POST /customers': ({ params }) => createCustomer(rt, params),
    'GET /customers/:id': ({ path }) => (state.customers.wasDeleted(path.id!) ? deletedCustomer(path.id!) : state.customers.require(path.id!)),
    'POST /customers/:id': ({ path, params }) => {
      const customer = state.customers.require(path.id!);
      updateWithEvent(rt, 'customer.updated', customer, (c) => applyFields(rt, c, params, new Map()));
      return customer;
    },
    'DELETE /customers/:id': ({ path }) => {
      const customer = state.customers.require(path.id!);
      for (const subscription of state.subscriptions.filter((s) => s.customer === customer.id && s.status !== 'canceled' && s.status !== 'incomplete_expired')) {
        endSubscription(rt, subscription, 'canceled', 'cancellation_requested');
      }
      state.customers.remove(customer.id);
      rt.events.record('customer.deleted', customer);
      return deletedCustomer(customer.id);
    },
    'GET /customers': ({ params }) => {
      const email = optionalString(params, 'email');
      const testClock = optionalString(params, 'test_clock');
      const items = state.customers.filter((c) => (!email || c.email === email) && (!testClock || c.test_clock === testClock) && matchesRange(c.created, params.created));
      return listPage(newestFirst(items), params, '/v1/customers');
    },
  });
}
