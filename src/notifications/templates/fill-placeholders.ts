/** `{{name}}`, with optional spaces inside the braces. Anything between the braces is captured, so a typo is found, not left in. */
const PLACEHOLDER = /\{\{\s*([^{}]*?)\s*\}\}/g;

/** The placeholder names a shop's text uses, in order of appearance, each once. */
export function findPlaceholders(template: string): string[] {
  return [...new Set([...template.matchAll(PLACEHOLDER)].map((match) => match[1]!))];
}

/**
 * Puts the values into a shop's text. `escape` is applied to every value (HTML overrides), never
 * to the shop's own markup around it. A name without a value is a bug here: overrides are checked
 * against the template's placeholders when the configuration is loaded.
 */
export function fillPlaceholders(template: string, values: Readonly<Record<string, string>>, escape: (value: string) => string = (value) => value): string {
  return template.replace(PLACEHOLDER, (_match, name: string) => {
    const value = values[name];
    if (value === undefined) throw new RangeError(`unknown placeholder {{${name}}}`);
    return escape(value);
  });
}
