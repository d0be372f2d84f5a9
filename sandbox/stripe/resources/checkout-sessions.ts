import type Stripe from 'stripe';
import type { StripeRuntime } from '../runtime.ts';
import { randomBase62 } from '../state/ids.ts';
import type { CheckoutPlan } from '../state/stripe-state.ts';
import { CREATED_RANGE, PAGINATION, type SpecOf } from '../wire/accepted-params.ts';
import { declareRoutes, type RouteTable } from '../wire/api-routes.ts';
import type { Params } from '../wire/form-body.ts';
import { listPage, matchesRange, newestFirst } from '../wire/list.ts';
import { mergeMetadata, optionalArray, optionalBool, optionalEnum, optionalInt, optionalObject, optionalString, optionalStringArray } from '../wire/params.ts';
import { stripeErrors } from '../wire/stripe-error.ts';
import { createPrice } from './prices.ts';

function lineItems(rt: StripeRuntime, params: Params, mode: string): Stripe.LineItem[] {
  const entries = optionalArray(params, 'line_items') ?? [];
  if (entries.length === 0) throw stripeErrors.missingParam('line_items');
  return entries.map((raw, index) => {
    const entry = (raw ?? {}) as Params;
    const priceData = optionalObject(entry, 'price_data');
    const priceId = optionalString(entry, 'price');
    const price = priceData ? createPrice(rt, priceData) : priceId ? rt.state.prices.require(priceId, `line_items[${index}][price]`) : undefined;
    if (!price) throw stripeErrors.missingParam(`line_items[${index}][price]`);
    if (mode === 'payment' && price.recurring) {
      throw stripeErrors.invalidRequest('You specified `payment` mode but passed a recurring price. Either switch to `subscription` mode or use only one-time prices.', `line_items[${index}][price]`);
    }
    const quantity = optionalInt(entry, 'quantity', { min: 1 }) ?? 1;
    const amount = (price.unit_amount ?? 0) * quantity;
    return {
      id: `li_${randomBase62(24)}`,
      object: 'item',
      adjustable_quantity: null,
      amount_discount: 0,
      amount_subtotal: amount,
      amount_tax: 0,
      amount_total: amount,
      currency: price.currency,
      description: rt.state.products.get(String(price.product))?.name ?? null,
      metadata: {},
      price: structuredClone(price),
      quantity,
    } as Stripe.LineItem;
  });
}

function plan(params: Params, items: Stripe.LineItem[]): CheckoutPlan {
  const trialPeriodDays = optionalInt(params, 'subscription_data.trial_period_days', { min: 1, max: 730 });
  const trialEnd = optionalInt(params, 'subscription_data.trial_end');
  const captureMethod = optionalEnum(params, 'payment_intent_data.capture_method', ['automatic', 'manual'] as const);
  const setupFutureUsage = optionalString(params, 'payment_intent_data.setup_future_usage');
  const description = optionalString(params, 'payment_intent_data.description') ?? optionalString(params, 'subscription_data.description');
  return {
    lineItems: items,
    subscriptionData: {
      ...(trialPeriodDays !== undefined ? { trialPeriodDays } : {}),
      ...(trialEnd !== undefined ? { trialEnd } : {}),
      metadata: mergeMetadata(null, params, 'subscription_data.metadata'),
      ...(description !== undefined ? { description } : {}),
    },
    paymentIntentData: {
      metadata: mergeMetadata(null, params, 'payment_intent_data.metadata'),
      ...(captureMethod ? { captureMethod } : {}),
      ...(setupFutureUsage ? { setupFutureUsage } : {}),
      ...(optionalObject(params, 'payment_intent_data.shipping') ? { shipping: optionalObject(params, 'payment_intent_data.shipping') } : {}),
      ...(description !== undefined ? { description } : {}),
    },
  };
}

const CUSTOM_TEXT_FIELDS = ['after_submit', 'shipping_address', 'submit', 'terms_of_service_acceptance'] as const;

/** `custom_text[<field>][message]`: up to 1,200 characters each; a field not sent is null. */
function customText(params: Params): Stripe.Checkout.Session.CustomText {
  const text = {} as Record<(typeof CUSTOM_TEXT_FIELDS)[number], { message: string } | null>;
  for (const field of CUSTOM_TEXT_FIELDS) {
    const message = optionalString(params, `custom_text.${field}.message`);
    if (message !== undefined && message.length > 1200) throw stripeErrors.invalidRequest('Invalid string: must be at most 1200 characters', `custom_text[${field}][message]`);
    text[field] = message ? { message } : null;
  }
  return text;
}

/** The languages of Stripe's Checkout page (`Stripe.Checkout.SessionCreateParams.Locale`). */
const LOCALES: readonly Stripe.Checkout.Session.Locale[] = [
  'auto', 'bg', 'cs', 'da', 'de', 'el', 'en', 'en-GB', 'es', 'es-419', 'et', 'fi', 'fil', 'fr', 'fr-CA', 'hi-IN', 'hr', 'hu', 'id', 'it', 'ja', 'ko', 'lt', 'lv', 'ms', 'mt',
  'nb', 'nl', 'pl', 'pt', 'pt-BR', 'ro', 'ru', 'sk', 'sl', 'sv', 'th', 'tr', 'vi', 'zh', 'zh-HK', 'zh-TW',
];

/** Bank payments of the euro area take euros only. */
const EUR_ONLY = ['ideal', 'bancontact', 'sepa_debit'];

function refuseUnsupportedCurrency(types: readonly string[], currency: string): void {
  const type = types.find((candidate) => EUR_ONLY.includes(candidate));
  if (!type || currency === 'eur') return;
  throw stripeErrors.invalidRequest(
    `The currency provided (${currency}) is invalid for one or more payment method types on this Checkout Session. The payment method type ${type} only supports the following currencies: eur.`,
    'allowed_payment_method_types',
  );
}

export function expireSession(rt: StripeRuntime, session: Stripe.Checkout.Session): void {
  session.status = 'expired';
  session.url = null;
  rt.events.record('checkout.session.expired', session);
}

function create(rt: StripeRuntime, params: Params): Stripe.Checkout.Session {
  const mode = optionalEnum(params, 'mode', ['payment', 'subscription', 'setup'] as const);
  if (!mode) throw stripeErrors.missingParam('mode');
  if (mode === 'setup') throw stripeErrors.invalidRequest('The recur sandbox supports Checkout in payment and subscription mode only.', 'mode');
  const customerId = optionalString(params, 'customer');
  const customer = customerId ? rt.state.customers.require(customerId, 'customer') : null;
  const customerEmail = optionalString(params, 'customer_email') ?? null;
  if (customer && customerEmail) throw stripeErrors.invalidRequest('You may only specify one of these parameters: customer, customer_email.', 'customer_email');
  const items = lineItems(rt, params, mode);
  if (mode === 'subscription' && !items.some((item) => item.price?.recurring)) {
    throw stripeErrors.invalidRequest('You must provide at least one recurring price in `subscription` mode when using prices.', 'line_items');
  }
  const paymentMethodTypes = optionalStringArray(params, 'allowed_payment_method_types') ?? ['card'];
  refuseUnsupportedCurrency(paymentMethodTypes, items[0]!.currency);
  const now = rt.time.nowFor(customer?.id);
  const total = items.reduce((sum, item) => sum + item.amount_total, 0);
  const id = `cs_test_${randomBase62(58)}`;
  const expiresAt = optionalInt(params, 'expires_at') ?? now + rt.settings.checkoutExpiresHours * 3600;
  const session = {
    id,
    object: 'checkout.session',
    adaptive_pricing: { enabled: false },
    after_expiration: null,
    allow_promotion_codes: optionalBool(params, 'allow_promotion_codes') ?? null,
    amount_subtotal: total,
    amount_total: total,
    automatic_tax: { enabled: false, liability: null, provider: null, status: null },
    billing_address_collection: optionalEnum(params, 'billing_address_collection', ['auto', 'required'] as const) ?? null,
    cancel_url: optionalString(params, 'cancel_url') ?? null,
    client_reference_id: optionalString(params, 'client_reference_id') ?? null,
    client_secret: null,
    collected_information: null,
    consent: null,
    consent_collection: null,
    created: now,
    currency: items[0]!.currency,
    currency_conversion: null,
    custom_fields: [],
    custom_text: customText(params),
    customer: customer?.id ?? null,
    customer_account: null,
    customer_creation: mode === 'payment' && !customer ? (optionalEnum(params, 'customer_creation', ['always', 'if_required'] as const) ?? 'if_required') : null,
    customer_details: customer ? { address: null, email: customer.email, name: customer.name ?? null, phone: null, tax_exempt: 'none', tax_ids: null } : null,
    customer_email: customerEmail,
    discounts: [],
    expires_at: expiresAt,
    integration_identifier: null,
    invoice: null,
    invoice_creation: mode === 'payment' ? { enabled: false, invoice_data: { account_tax_ids: null, custom_fields: null, description: null, footer: null, issuer: null, metadata: {}, rendering_options: null } } : null,
    livemode: false,
    locale: optionalEnum(params, 'locale', LOCALES) ?? null,
    managed_payments: null,
    metadata: mergeMetadata(null, params),
    mode,
    origin_context: null,
    payment_intent: null,
    payment_link: null,
    payment_method_collection: mode === 'subscription' ? 'always' : null,
    payment_method_configuration_details: null,
    payment_method_options: {},
    payment_method_types: paymentMethodTypes,
    payment_status: 'unpaid',
    permissions: null,
    phone_number_collection: { enabled: false },
    recovered_from: null,
    saved_payment_method_options: null,
    setup_intent: null,
    shipping_address_collection: null,
    shipping_cost: null,
    shipping_options: [],
    status: 'open',
    submit_type: null,
    subscription: null,
    success_url: optionalString(params, 'success_url') ?? null,
    total_details: { amount_discount: 0, amount_shipping: 0, amount_tax: 0 },
    ui_mode: 'hosted_page',
    url: `${rt.sandbox.baseUrl()}/stripe/checkout/${id}`,
    wallet_options: null,
    // Stripe's sample session (fixtures3.json) has no allowed_payment_method_types, so neither has this one.
  } as unknown as Stripe.Checkout.Session;
  rt.state.checkoutSessions.add(session);
  rt.state.checkoutPlans.set(id, plan(params, items));
  rt.state.addTimer(expiresAt, rt.time.clockOfCustomer(customer?.id), 'expire_checkout_session', { session: id });
  return session;
}

/** What each route accepts (besides `expand`); anything else is answered 400 `parameter_unknown`. */
const PRODUCT_DATA = { description: true, images: true, metadata: true, name: true } as const;
const ACCEPTS = {
  'POST /checkout/sessions': {
    allow_promotion_codes: true,
    billing_address_collection: true,
    cancel_url: true,
    client_reference_id: true,
    custom_text: { after_submit: { message: true }, shipping_address: { message: true }, submit: { message: true }, terms_of_service_acceptance: { message: true } },
    customer: true,
    customer_creation: true,
    customer_email: true,
    expires_at: true,
    line_items: {
      price: true,
      price_data: { currency: true, product: true, product_data: PRODUCT_DATA, recurring: { interval: true, interval_count: true }, unit_amount: true, unit_amount_decimal: true },
      quantity: true,
    },
    locale: true,
    metadata: true,
    mode: true,
    payment_intent_data: { capture_method: true, description: true, metadata: true, setup_future_usage: true, shipping: true },
    allowed_payment_method_types: true,
    subscription_data: { description: true, metadata: true, trial_end: true, trial_period_days: true },
    success_url: true,
  } satisfies SpecOf<Stripe.Checkout.SessionCreateParams>,
  'GET /checkout/sessions/:id': {} satisfies SpecOf<Stripe.Checkout.SessionRetrieveParams>,
  'POST /checkout/sessions/:id': { metadata: true } satisfies SpecOf<Stripe.Checkout.SessionUpdateParams>,
  'POST /checkout/sessions/:id/expire': {} satisfies SpecOf<Stripe.Checkout.SessionExpireParams>,
  'GET /checkout/sessions/:id/line_items': { ...PAGINATION } satisfies SpecOf<Stripe.Checkout.SessionListLineItemsParams>,
  'GET /checkout/sessions': { ...PAGINATION, ...CREATED_RANGE, customer: true, payment_intent: true, status: true, subscription: true } satisfies SpecOf<Stripe.Checkout.SessionListParams>,
};

export function checkoutSessionRoutes(rt: StripeRuntime): RouteTable {
  const { state } = rt;
  return declareRoutes(ACCEPTS, {
    'POST /checkout/sessions': ({ params }) => create(rt, params),
    'GET /checkout/sessions/:id': ({ path }) => state.checkoutSessions.require(path.id!),
    'POST /checkout/sessions/:id': ({ path, params }) => {
      const session = state.checkoutSessions.require(path.id!);
      session.metadata = mergeMetadata(session.metadata, params);
      return session;
    },
    'POST /checkout/sessions/:id/expire': ({ path }) => {
      const session = state.checkoutSessions.require(path.id!);
      if (session.status !== 'open') throw stripeErrors.invalidRequest('Only Checkout Sessions with a status in ["open"] can be expired.', undefined, 'checkout_session_not_open');
      expireSession(rt, session);
      return session;
    },
    'GET /checkout/sessions/:id/line_items': ({ path, params }) => {
      const session = state.checkoutSessions.require(path.id!);
      return listPage(state.checkoutPlans.get(session.id)?.lineItems ?? [], params, `/v1/checkout/sessions/${session.id}/line_items`);
    },
    'GET /checkout/sessions': ({ params }) => {
      const customer = optionalString(params, 'customer');
      const intent = optionalString(params, 'payment_intent');
      const subscription = optionalString(params, 'subscription');
      const status = optionalString(params, 'status');
      const items = state.checkoutSessions.filter(
        (s) => (!customer || s.customer === customer) && (!intent || s.payment_intent === intent) && (!subscription || s.subscription === subscription) && (!status || s.status === status) && matchesRange(s.created, params.created),
      );
      return listPage(newestFirst(items), params, '/v1/checkout/sessions');
    },
  });
}
