import { z } from 'zod';
import type { Page, PageRequest } from '../db/keyset-page.ts';

/**
 * The one paging style of every list route (docs/adr/0031): newest first; `limit` (1–100, 20 by
 * default); `starting_after` = the `next_cursor` of the previous page (the id of its last item);
 * `created[gte]` / `created[lte]` bound the creation time. Every list answers
 * `{ data, has_more, next_cursor }`.
 */
export const DEFAULT_PAGE_SIZE = 20;
export const MAX_PAGE_SIZE = 100;

const createdBound = (side: string, example: string) => z.iso.datetime({ offset: true }).optional().meta({ description: `only items created ${side} this time (ISO 8601)`, example });

/** The query of a list route: its own filters beside the shared paging and creation window. */
export function listQuery<Cursor extends z.ZodType<string | number>, Filters extends z.ZodRawShape>(cursor: Cursor, filters: Filters) {
  return z
    .object({
      ...filters,
      limit: z.coerce.number().int().min(1).max(MAX_PAGE_SIZE).default(DEFAULT_PAGE_SIZE).meta({ description: `items per page, 1 to ${MAX_PAGE_SIZE}`, example: 50 }),
      starting_after: cursor.optional().describe("the previous page's next_cursor (the id of its last item)"),
      'created[gte]': createdBound('at or after', '2026-03-01T00:00:00Z'),
      'created[lte]': createdBound('at or before', '2026-03-31T23:59:59Z'),
    })
    .strict();
}

/** A list answer of `item`: the page, whether more follow, and the cursor of the next page. */
export function listJson<Item extends z.ZodType, Cursor extends z.ZodType>(item: Item, cursor: Cursor) {
  return z.object({
    data: z.array(item),
    has_more: z.boolean().describe('whether another page follows'),
    next_cursor: cursor.nullable().describe('pass as starting_after for the next page; null on the last page'),
  });
}

type ListQueryPaging<Cursor> = { limit: number; starting_after?: Cursor | undefined; 'created[gte]'?: string | undefined; 'created[lte]'?: string | undefined };

/** The paging part of a parsed list query, as the repositories take it. */
export function toPageRequest<Cursor extends string | number>(query: ListQueryPaging<Cursor>): PageRequest<Cursor> {
  const date = (value: string | undefined) => (value === undefined ? undefined : new Date(value));
  return { limit: query.limit, startingAfter: query.starting_after, createdFrom: date(query['created[gte]']), createdTo: date(query['created[lte]']) };
}

/** A page as the API answers it; the next cursor is the id of the page's last item. */
export function presentPage<Item extends { id: Cursor }, Json, Cursor extends string | number>(page: Page<Item>, present: (item: Item) => Json): { data: Json[]; has_more: boolean; next_cursor: Cursor | null } {
  const last = page.items.at(-1);
  return { data: page.items.map(present), has_more: page.hasMore, next_cursor: page.hasMore && last ? last.id : null };
}

/** The example of a list answer in the docs: one item, the last page. */
export const onePage = <Json>(example: Json) => ({ data: [example], has_more: false, next_cursor: null });
