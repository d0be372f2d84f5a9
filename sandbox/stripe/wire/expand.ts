import { stripeErrors } from './stripe-error.ts';

type Node = Record<string, unknown>;

/**
 * Where expanded objects come from: stored objects by id, and "includable" fields that Stripe
 * leaves out unless asked for (a checkout session's `line_items`, an invoice's `payments`).
 */
export type ExpandSources = {
  lookup(id: string): object | undefined;
  includable(objectType: string, field: string): ((node: Node) => unknown) | undefined;
};

const MAX_DEPTH = 4;
const ID_PATTERN = /^[a-z]+(_[a-z]+)?_[A-Za-z0-9]+$/;

function isNode(value: unknown): value is Node {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function expandId(value: unknown, sources: ExpandSources): unknown {
  if (typeof value !== 'string') return value;
  const found = sources.lookup(value);
  return found ? structuredClone(found) : value;
}

function expandAt(node: unknown, segments: string[], path: string, sources: ExpandSources): unknown {
  if (segments.length === 0) return node;
  if (Array.isArray(node)) return node.map((item) => expandAt(item, segments, path, sources));
  if (!isNode(node)) return node;
  const [field, ...rest] = segments as [string, ...string[]];
  let child = node[field];
  if (child === undefined) {
    const include = typeof node.object === 'string' ? sources.includable(node.object, field) : undefined;
    if (!include) throw stripeErrors.invalidRequest(`This property cannot be expanded (${path}).`, 'expand');
    child = include(node);
  } else if (typeof child === 'string') {
    if (!ID_PATTERN.test(child)) throw stripeErrors.invalidRequest(`This property cannot be expanded (${path}).`, 'expand');
    child = expandId(child, sources);
  } else if (Array.isArray(child)) {
    child = child.map((item) => expandId(item, sources));
  } else if (child !== null && !isNode(child)) {
    throw stripeErrors.invalidRequest(`This property cannot be expanded (${path}).`, 'expand');
  }
  node[field] = expandAt(child, rest, path, sources);
  return node;
}

/** Applies `expand[]` paths (`customer`, `latest_invoice.payment_intent`, `data.customer`) to a response copy. */
export function applyExpand(response: unknown, paths: readonly string[], sources: ExpandSources): unknown {
  for (const path of paths) {
    const segments = path.split('.');
    if (segments.length > MAX_DEPTH) throw stripeErrors.invalidRequest(`You cannot expand more than ${MAX_DEPTH} levels of a property. Property: ${path}`, 'expand');
    expandAt(response, segments, path, sources);
  }
  return response;
}
