/** Times in the API's JSON: ISO-8601 UTC strings, null where there is none. */
export const isoOrNull = (date: Date | null): string | null => (date ? date.toISOString() : null);
