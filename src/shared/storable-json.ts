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

const BACKSLASH = 0x5c;
const QUOTE = 0x22;
const LETTER_U = 0x75;

const isHighSurrogate = (code: number): boolean => code >= 0xd800 && code <= 0xdbff;
const isLowSurrogate = (code: number): boolean => code >= 0xdc00 && code <= 0xdfff;

/** The code of the `\uXXXX` escape starting at `index` (its backslash), or -1 when there is none. */
function escapedCodeAt(text: string, index: number): number {
  if (text.charCodeAt(index) !== BACKSLASH || text.charCodeAt(index + 1) !== LETTER_U) return -1;
  const code = Number.parseInt(text.slice(index + 2, index + 6), 16);
  return Number.isNaN(code) ? -1 : code;
}

/**
 * Whether JSON text (already parsed without error) can be stored exactly as it is: nested no
 * deeper than `maxDepth` and with no `\u` escape of U+0000 or of a surrogate (the only way JSON
 * text decoded from UTF-8 can carry an unstorable character). One pass over the characters, with
 * no copy of the value: the common case of toStorableJson, decided on the text. An escaped
 * surrogate pair (an emoji written as escapes) is storable; a lone half is not.
 */
export function isStorableJsonText(text: string, maxDepth = MAX_JSON_DEPTH): boolean {
  let level = 0;
  let inString = false;
  for (let index = 0; index < text.length; index++) {
    const code = text.charCodeAt(index);
    if (inString) {
      if (code === QUOTE) inString = false;
      else if (code === BACKSLASH) {
        if (text.charCodeAt(index + 1) === LETTER_U) {
          const escaped = escapedCodeAt(text, index);
          if (escaped === 0 || isLowSurrogate(escaped)) return false;
          if (isHighSurrogate(escaped)) {
            // Storable only as the first half of an escaped pair (an emoji written as escapes).
            if (!isLowSurrogate(escapedCodeAt(text, index + 6))) return false;
            index += 6;
          }
        }
        index += 1;
      }
    } else if (code === QUOTE) inString = true;
    else if (code === 0x7b || code === 0x5b) {
      level += 1;
      if (level > maxDepth) return false;
    } else if (code === 0x7d || code === 0x5d) level -= 1;
  }
  return true;
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
