/** One text field of a parsed form or query (the pages' parser gives strings); anything else is absent. */
export function formField(body: unknown, name: string): string | null {
  if (typeof body !== 'object' || body === null) return null;
  const value = (body as Record<string, unknown>)[name];
  return typeof value === 'string' ? value : null;
}
