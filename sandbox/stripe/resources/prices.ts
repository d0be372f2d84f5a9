import type Stripe from 'stripe';
import { updateWithEvent } from '../events/record-update.ts';
import type { StripeRuntime } from '../runtime.ts';
import { newId } from '../state/ids.ts';
import { wireDecimal } from '../state/wire-decimal.ts';
import { CREATED_RANGE, PAGINATION, type SpecOf } from '../wire/accepted-params.ts';
import { declareRoutes, type RouteTable } from '../wire/api-routes.ts';
import type { Params } from '../wire/form-body.ts';
import { listPage, matchesRange, newestFirst } from '../wire/list.ts';
import { mergeMetadata, nullableString, optionalBool, optionalEnum, optionalInt, optionalObject, optionalString, optionalStringArray, requireString } from '../wire/params.ts';
import { stripeErrors } from '../wire/stripe-error.ts';
import { createProduct } from './products.ts';

const INTERVALS = ['day', 'week', 'month', 'year'] as const;

function recurring(params: Params): Stripe.Price.Recurring | null {
  if (!optionalObject(params, 'recurring')) return null;
  const interval = optionalEnum(params, 'recurring.interval', INTERVALS);
  if (!interval) throw stripeErrors.missingParam('recurring[interval]');
  return {
    interval,
    interval_count: optionalInt(params, 'recurring.interval_count', { min: 1, max: 36 }) ?? 1,
    meter: null,
    trial_period_days: optionalInt(params, 'recurring.trial_period_days', { min: 0, max: 730 }) ?? null,
    usage_type: optionalEnum(params, 'recurring.usage_type', ['licensed', 'metered'] as const) ?? 'licensed',
  };
}

/** A lookup key belongs to one price; `transfer_lookup_key` moves it from the old one. */
function claimLookupKey(rt: StripeRuntime, key: string, params: Params, except?: string): void {
  const holder = rt.state.prices.filter((price) => price.lookup_key === key && price.id !== except)[0];
  if (!holder) return;
  if (optionalBool(params, 'transfer_lookup_key') !== true) {
    throw stripeErrors.invalidRequest(`A price (\`${holder.id}\`) already uses that lookup key.`, 'lookup_key', 'lookup_key_already_exists');
  }
  updateWithEvent(rt, 'price.updated', holder, (price) => (price.lookup_key = null));
}

export function createPrice(rt: StripeRuntime, params: Params): Stripe.Price {
  const productData = optionalObject(params, 'product_data');
  const productId = productData ? createProduct(rt, productData).id : requireString(params, 'product');
  rt.state.products.require(productId, 'product');
  const decimal = optionalString(params, 'unit_amount_decimal');
  const amount = optionalInt(params, 'unit_amount', { min: 0 }) ?? (decimal ? Math.round(Number(decimal)) : undefined);
  if (amount === undefined) throw stripeErrors.missingParam('unit_amount');
  const lookupKey = optionalString(params, 'lookup_key') || null;
  if (lookupKey) claimLookupKey(rt, lookupKey, params);
  const schedule = recurring(params);
  const price: Stripe.Price = {
    id: newId('price', 24),
    object: 'price',
    active: optionalBool(params, 'active') ?? true,
    billing_scheme: 'per_unit',
    created: rt.time.sharedNow(),
    currency: requireString(params, 'currency').toLowerCase(),
    custom_unit_amount: null,
    livemode: false,
    lookup_key: lookupKey,
    metadata: mergeMetadata(null, params),
    nickname: optionalString(params, 'nickname') || null,
    product: productId,
    recurring: schedule,
    tax_behavior: optionalEnum(params, 'tax_behavior', ['exclusive', 'inclusive', 'unspecified'] as const) ?? 'unspecified',
    tiers_mode: null,
    transform_quantity: null,
    type: schedule ? 'recurring' : 'one_time',
    unit_amount: amount,
    unit_amount_decimal: wireDecimal(decimal ?? amount),
  };
  rt.state.prices.add(price);
  rt.events.record('price.created', price);
  return price;
}

/** What each route accepts (besides `expand`); anything else is answered 400 `parameter_unknown`. */
const ACCEPTS = {
  'POST /prices': {
    active: true,
    currency: true,
    lookup_key: true,
    metadata: true,
    nickname: true,
    product: true,
    product_data: { active: true, metadata: true, name: true, statement_descriptor: true, unit_label: true },
    recurring: { interval: true, interval_count: true, trial_period_days: true, usage_type: true },
    tax_behavior: true,
    transfer_lookup_key: true,
    unit_amount: true,
    unit_amount_decimal: true,
  } satisfies SpecOf<Stripe.PriceCreateParams>,
  'GET /prices/:id': {} satisfies SpecOf<Stripe.PriceRetrieveParams>,
  'POST /prices/:id': { active: true, lookup_key: true, metadata: true, nickname: true, transfer_lookup_key: true } satisfies SpecOf<Stripe.PriceUpdateParams>,
  'GET /prices': {
    ...PAGINATION,
    ...CREATED_RANGE,
    active: true,
    currency: true,
    lookup_keys: true,
    product: true,
    recurring: { interval: true },
    type: true,
  } satisfies SpecOf<Stripe.PriceListParams>,
};

export function priceRoutes(rt: StripeRuntime): RouteTable {
  const { state } = rt;
  return declareRoutes(ACCEPTS, {
    'POST /prices': ({ params }) => createPrice(rt, params),
    'GET /prices/:id': ({ path }) => state.prices.require(path.id!),
    'POST /prices/:id': ({ path, params }) => {
      const price = state.prices.require(path.id!);
      const lookupKey = nullableString(params, 'lookup_key');
      if (lookupKey) claimLookupKey(rt, lookupKey, params, price.id);
      updateWithEvent(rt, 'price.updated', price, (p) => {
        const active = optionalBool(params, 'active');
        if (active !== undefined) p.active = active;
        const nickname = nullableString(params, 'nickname');
        if (nickname !== undefined) p.nickname = nickname;
        if (lookupKey !== undefined) p.lookup_key = lookupKey;
        p.metadata = mergeMetadata(p.metadata, params);
      });
      return price;
    },
    'GET /prices': ({ params }) => {
      const active = optionalBool(params, 'active');
      const product = optionalString(params, 'product');
      const type = optionalString(params, 'type');
      const currency = optionalString(params, 'currency');
      const interval = optionalString(params, 'recurring.interval');
      const lookupKeys = optionalStringArray(params, 'lookup_keys');
      const items = state.prices.filter(
        (p) =>
          (active === undefined || p.active === active) &&
          (!product || p.product === product) &&
          (!type || p.type === type) &&
          (!currency || p.currency === currency) &&
          (!interval || p.recurring?.interval === interval) &&
          (!lookupKeys || (p.lookup_key !== null && lookupKeys.includes(p.lookup_key))) &&
          matchesRange(p.created, params.created),
      );
      return listPage(newestFirst(items), params, '/v1/prices');
    },
  });
}
