type Json = Record<string, unknown>;

function isPlainObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && (value as Json).object !== 'list';
}

/**
 * Stripe's `data.previous_attributes`: the old values of the fields that changed; nested hashes
 * only with their changed keys, lists and arrays whole. Null when nothing changed.
 */
export function previousAttributes(before: object, after: object): Json | null {
  const previous: Json = {};
  const old = before as Json;
  const now = after as Json;
  for (const key of new Set([...Object.keys(old), ...Object.keys(now)])) {
    const was = old[key];
    const is = now[key];
    if (JSON.stringify(was) === JSON.stringify(is)) continue;
    if (isPlainObject(was) && isPlainObject(is)) previous[key] = previousAttributes(was, is) ?? {};
    else previous[key] = was === undefined ? null : structuredClone(was);
  }
  return Object.keys(previous).length > 0 ? previous : null;
}
