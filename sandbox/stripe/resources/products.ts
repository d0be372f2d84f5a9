import type Stripe from 'stripe';
import { updateWithEvent } from '../events/record-update.ts';
import type { StripeRuntime } from '../runtime.ts';
import { newId } from '../state/ids.ts';
import { CREATED_RANGE, PAGINATION, type SpecOf } from '../wire/accepted-params.ts';
import { declareRoutes, type RouteTable } from '../wire/api-routes.ts';
import type { Params } from '../wire/form-body.ts';
import { listPage, matchesRange, newestFirst } from '../wire/list.ts';
import { mergeMetadata, nullableString, optionalBool, optionalObject, optionalString, optionalStringArray, requireString } from '../wire/params.ts';
import { stripeErrors } from '../wire/stripe-error.ts';
import { createPrice } from './prices.ts';

function applyFields(product: Stripe.Product, params: Params): void {
  const name = optionalString(params, 'name');
  if (name !== undefined) {
    if (name === '') throw stripeErrors.invalidRequest('You must supply a non-empty name.', 'name');
    product.name = name;
  }
  for (const field of ['description', 'url', 'unit_label', 'statement_descriptor'] as const) {
    const value = nullableString(params, field);
    if (value !== undefined) product[field] = value;
  }
  const active = optionalBool(params, 'active');
  if (active !== undefined) product.active = active;
  const images = optionalStringArray(params, 'images');
  if (images) product.images = images;
  product.metadata = mergeMetadata(product.metadata, params);
}

export function createProduct(rt: StripeRuntime, params: Params): Stripe.Product {
  const id = optionalString(params, 'id') || newId('prod', 14);
  if (rt.state.products.has(id)) throw stripeErrors.invalidRequest(`Product already exists.`, 'id', 'resource_already_exists');
  const now = rt.time.sharedNow();
  // Stripe's sample product (fixtures3.json) has no tax_details; the sandbox follows the sample.
  const shape: Omit<Stripe.Product, 'tax_details'> = {
    id,
    object: 'product',
    active: true,
    created: now,
    default_price: null,
    description: null,
    images: [],
    livemode: false,
    marketing_features: [],
    metadata: {},
    name: requireString(params, 'name'),
    package_dimensions: null,
    shippable: null,
    statement_descriptor: null,
    tax_code: null,
    type: 'service',
    unit_label: null,
    updated: now,
    url: null,
  };
  const product = shape as Stripe.Product;
  applyFields(product, params);
  rt.state.products.add(product);
  rt.events.record('product.created', product);
  const priceData = optionalObject(params, 'default_price_data');
  if (priceData) {
    const price = createPrice(rt, { ...priceData, product: product.id });
    updateWithEvent(rt, 'product.updated', product, (p) => (p.default_price = price.id));
  }
  return product;
}

/** What each route accepts (besides `expand`); anything else is answered 400 `parameter_unknown`. */
const PRODUCT_FIELDS = {
  active: true,
  description: true,
  images: true,
  metadata: true,
  name: true,
  statement_descriptor: true,
  unit_label: true,
  url: true,
} as const satisfies SpecOf<Stripe.ProductUpdateParams>;
const ACCEPTS = {
  'POST /products': {
    ...PRODUCT_FIELDS,
    default_price_data: { currency: true, metadata: true, recurring: { interval: true, interval_count: true }, tax_behavior: true, unit_amount: true, unit_amount_decimal: true },
    id: true,
  } satisfies SpecOf<Stripe.ProductCreateParams>,
  'GET /products/:id': {} satisfies SpecOf<Stripe.ProductRetrieveParams>,
  'POST /products/:id': { ...PRODUCT_FIELDS, default_price: true } satisfies SpecOf<Stripe.ProductUpdateParams>,
  'DELETE /products/:id': {} satisfies SpecOf<Stripe.ProductDeleteParams>,
  'GET /products': { ...PAGINATION, ...CREATED_RANGE, active: true, ids: true } satisfies SpecOf<Stripe.ProductListParams>,
};

export function productRoutes(rt: StripeRuntime): RouteTable {
  const { state } = rt;
  return declareRoutes(ACCEPTS, {
    'POST /products': ({ params }) => createProduct(rt, params),
    'GET /products/:id': ({ path }) => state.products.require(path.id!),
    'POST /products/:id': ({ path, params }) => {
      const product = state.products.require(path.id!);
      updateWithEvent(rt, 'product.updated', product, (p) => {
        applyFields(p, params);
        const defaultPrice = nullableString(params, 'default_price');
        if (defaultPrice) p.default_price = state.prices.require(defaultPrice, 'default_price').id;
        p.updated = rt.time.sharedNow();
      });
      return product;
    },
    'DELETE /products/:id': ({ path }) => {
      const product = state.products.require(path.id!);
      if (state.prices.filter((price) => price.product === product.id).length > 0) {
        throw stripeErrors.invalidRequest('This product cannot be deleted because it has one or more user-created prices.', undefined, 'product_has_prices');
      }
      state.products.remove(product.id);
      rt.events.record('product.deleted', product);
      return { id: product.id, object: 'product', deleted: true };
    },
    'GET /products': ({ params }) => {
      const active = optionalBool(params, 'active');
      const ids = optionalStringArray(params, 'ids');
      const items = state.products.filter((p) => (active === undefined || p.active === active) && (!ids || ids.includes(p.id)) && matchesRange(p.created, params.created));
      return listPage(newestFirst(items), params, '/v1/products');
    },
  });
}
