/**
 * Text PostgreSQL can hold as it was sent. A text (and jsonb) value cannot contain U+0000, and a
 * lone UTF-16 surrogate (half of a pair, as `"\ud800"` in JSON) has no UTF-8 form: the drivers
 * would write U+FFFD in its place, so the stored text would differ from what was accepted.
 */
// eslint-disable-next-line no-control-regex -- U+0000 is exactly what this looks for
const UNSTORABLE = /\u0000|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
const UNSTORABLE_ALL = new RegExp(UNSTORABLE.source, 'g');

/** What stands in for an unstorable character where one must be kept: Unicode's replacement character. */
export const REPLACEMENT_CHARACTER = '\ufffd';

/** The first character of `text` that cannot be stored, named for a person (`U+0000`), or null. */
export function findUnstorableCharacter(text: string): string | null {
  const match = UNSTORABLE.exec(text);
  if (!match) return null;
  const code = match[0].charCodeAt(0);
  const name = `U+${code.toString(16).toUpperCase().padStart(4, '0')}`;
  return code === 0 ? name : `a lone surrogate (${name})`;
}

/** The text with every unstorable character replaced by U+FFFD. */
export function toStorableText(text: string): string {
  return text.replace(UNSTORABLE_ALL, REPLACEMENT_CHARACTER);
}

export type UnstorableText = { path: string; character: string };

/**
 * The first string (value or key) anywhere in a parsed JSON-like value that cannot be stored,
 * with its dotted path. Iterative, so a body nested thousands of levels deep cannot exhaust the
 * stack of the check that is meant to refuse it.
 */
export function findUnstorableText(value: unknown): UnstorableText | null {
  const pending: { value: unknown; path: string }[] = [{ value, path: '' }];
  while (pending.length > 0) {
    const { value: current, path } = pending.pop()!;
    if (typeof current === 'string') {
      const character = findUnstorableCharacter(current);
      if (character) return { path, character };
    } else if (Array.isArray(current)) {
      current.forEach((item, index) => pending.push({ value: item, path: join(path, String(index)) }));
    } else if (typeof current === 'object' && current !== null && !Buffer.isBuffer(current)) {
      for (const [key, item] of Object.entries(current)) {
        const character = findUnstorableCharacter(key);
        if (character) return { path: join(path, toStorableText(key)), character };
        pending.push({ value: item, path: join(path, key) });
      }
    }
  }
  return null;
}

const join = (path: string, key: string): string => (path ? `${path}.${key}` : key);
