import { z } from 'zod';
import { validationFailed } from '../../../shared/errors.ts';

/** Rows on one page of a dashboard list; the next page follows with `?after=` the last row's id. */
export const ADMIN_PAGE_SIZE = 25;

/** A filter field of a GET form: left empty ("any"), it is absent; otherwise trimmed and checked. */
export const optionalField = <T extends z.ZodType>(schema: T) =>
  z.preprocess((value) => (typeof value === 'string' && value.trim() === '' ? undefined : typeof value === 'string' ? value.trim() : value), schema.optional());

/**
 * A page's query, path or form read with `schema`; fields it does not name are ignored (a
 * bookmarked URL of an older page still opens, a form's `_csrf` passes). Anything else wrong is a
 * 400 page naming the field, before anything is done.
 */
export function readPageInput<T extends z.ZodType>(schema: T, query: unknown): z.output<T> {
  const parsed = schema.safeParse(query ?? {});
  if (parsed.success) return parsed.data;
  throw validationFailed(parsed.error.issues.map((issue) => `${issue.path.join('.') || 'query'}: ${issue.message}`).join('; '));
}

/** The URL of `path` with the filters that are set (and `after`, for the next page). */
export function listUrl(path: string, filters: Record<string, string | number | undefined>): string {
  const search = new URLSearchParams();
  for (const [name, value] of Object.entries(filters)) if (value !== undefined && value !== '') search.set(name, String(value));
  const text = search.toString();
  return text ? `${path}?${text}` : path;
}
