import type { Params } from './form-body.ts';
import { stripeErrors } from './stripe-error.ts';

/**
 * The parameters a route accepts: a name maps to `true` (any value, its inside unchecked: a
 * scalar, an id, `metadata`, which is free-form) or to the spec of the hash it takes (an array of
 * hashes, `items[0][price]`, is checked element by element against the same spec).
 */
export type ParamSpec = { readonly [name: string]: true | ParamSpec };

type HashOf<V> = V extends readonly (infer Element)[] ? HashOf<Element> : V extends string | number | boolean | bigint | null | undefined ? never : V;
/** The SDK types some hashes as unions (`card`: a token or a number); a name any member knows is known. */
type NamesOf<T> = T extends unknown ? keyof T : never;
type ValueOf<T, Name extends PropertyKey> = T extends unknown ? (Name extends keyof T ? T[Name] : never) : never;

/**
 * A spec written against one of the SDK's `…Params` types (`satisfies SpecOf<Stripe.CustomerCreateParams>`):
 * a name the pinned API version does not know, at any depth, fails typecheck, so an allow-list
 * can only narrow what Stripe accepts.
 */
export type SpecOf<T> = { readonly [Name in NamesOf<T>]?: true | SpecOf<HashOf<NonNullable<ValueOf<T, Name>>>> };

/** Every Stripe operation takes `expand[]`; the route layer applies it. */
const ACCEPTED_EVERYWHERE = new Set(['expand']);

function isHash(value: unknown): value is Params {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** qs gives `a[1001][b]=x` (past its array limit) as a hash with numeric keys. */
function isIndexed(value: Params, spec: ParamSpec): boolean {
  const keys = Object.keys(value);
  return keys.length > 0 && keys.every((key) => /^\d+$/.test(key) && !Object.hasOwn(spec, key));
}

function checkValue(value: unknown, spec: ParamSpec, path: string): void {
  if (Array.isArray(value)) value.forEach((item, index) => checkValue(item, spec, `${path}[${index}]`));
  else if (isHash(value) && isIndexed(value, spec)) for (const [index, item] of Object.entries(value)) checkValue(item, spec, `${path}[${index}]`);
  else if (isHash(value)) checkHash(value, spec, path);
  // A scalar where a hash is expected (`address=` clears it, `created=123`) is the handler's to judge.
}

function checkHash(params: Params, spec: ParamSpec, prefix: string): void {
  for (const [name, value] of Object.entries(params)) {
    const path = prefix === '' ? name : `${prefix}[${name}]`;
    const rule = Object.hasOwn(spec, name) ? spec[name] : undefined;
    if (rule === undefined) {
      if (prefix === '' && ACCEPTED_EVERYWHERE.has(name)) continue;
      throw stripeErrors.unknownParameter(path);
    }
    if (rule !== true) checkValue(value, rule, path);
  }
}

/** Refuses, as Stripe does, the first parameter (at any depth) the route does not know: 400 `parameter_unknown` naming it. */
export function checkAcceptedParams(params: Params, spec: ParamSpec): void {
  checkHash(params, spec, '');
}

/** `limit`, `starting_after`, `ending_before`: what every list route takes. */
export const PAGINATION = { limit: true, starting_after: true, ending_before: true } as const;

/** `created=…` or `created[gte]=…`: the range filter of most lists. */
export const CREATED_RANGE = { created: { gt: true, gte: true, lt: true, lte: true } } as const;
