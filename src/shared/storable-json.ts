import { toStorableText } from './storable-text.ts';

/**
 * Deeper than any provider's event (Stripe's are under 10 levels), far below what PostgreSQL's
 * jsonb parser or JSON.stringify can take (both recurse, and fail at some thousands of levels).
 */
export const MAX_JSON_DEPTH = 64;

export type StorableJson = { value: unknown; refused: null } | { value: Record<string, unknown> | null; refused: string };

/**
 * Parsed JSON as a jsonb column can hold it. Strings and keys keep their text with U+0000 and
 * lone surrogates replaced by U+FFFD (jsonb refuses the first, UTF-8 cannot encode the second).
 * A value nested deeper than `maxDepth` is not stored: only its top-level fields that are plain
 * values (an event's id, type, created) are kept, and `refused` says why.
 */
export function toStorableJson(value: unknown, maxDepth = MAX_JSON_DEPTH): StorableJson {
  if (isDeeperThan(value, maxDepth)) {
    return { value: topLevelValues(value), refused: `nested deeper than ${maxDepth} levels` };
  }
  return { value: copyStorable(value), refused: null };
}

/** Iterative: the value being measured may be far deeper than the call stack allows. */
function isDeeperThan(value: unknown, maxDepth: number): boolean {
  const pending: [unknown, number][] = [[value, 0]];
  while (pending.length > 0) {
    const [current, depth] = pending.pop()!;
    if (typeof current !== 'object' || current === null) continue;
    if (depth >= maxDepth) return true;
    for (const item of Object.values(current)) pending.push([item, depth + 1]);
  }
  return false;
}

// Recursive, but only ever called on a value known to be at most maxDepth deep.
function copyStorable(value: unknown): unknown {
  if (typeof value === 'string') return toStorableText(value);
  if (Array.isArray(value)) return value.map(copyStorable);
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [toStorableText(key), copyStorable(item)]));
  }
  return value;
}

function topLevelValues(value: unknown): Record<string, unknown> | null {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return null;
  const plain = Object.entries(value).filter(([, item]) => item === null || ['string', 'number', 'boolean'].includes(typeof item));
  return Object.fromEntries(plain.map(([key, item]) => [toStorableText(key), typeof item === 'string' ? toStorableText(item) : item]));
}
