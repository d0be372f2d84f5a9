import { z } from 'zod';

/**
 * The `expand` parameter, one style on every route whose answer names related objects:
 * `?expand=customer`, repeated for more (`?expand=customer&expand=subscription`). Each value names
 * a field the answer then carries as the whole object, as its own route shows it, instead of the
 * id alone; a page costs one more query per value, whatever its length.
 */
export function expandParam<const Values extends readonly [string, ...string[]]>(values: Values) {
  const expected = `expected ${values.map((value) => `"${value}"`).join(' or ')} (this route expands nothing else)`;
  const one = z.enum(values, { error: expected });
  return z
    .union([one, z.array(one)], { error: expected })
    .optional()
    .meta({ description: `related objects to include whole instead of their id: ${values.join(', ')} (repeat the parameter for more than one)`, example: values[0] });
}

/** The expansions a parsed query asks for. */
export function expansionsOf<Value extends string>(expand: Value | Value[] | undefined): ReadonlySet<Value> {
  return new Set(expand === undefined ? [] : Array.isArray(expand) ? expand : [expand]);
}
