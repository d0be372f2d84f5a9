import { validationFailed } from '../shared/errors.ts';
import type { Queryable } from './database.ts';

/** What every list asks for: a page size, the last id of the previous page, a window on the creation time. */
export type PageRequest<Cursor extends string | number = string> = {
  limit: number;
  startingAfter?: Cursor | undefined;
  createdFrom?: Date | undefined;
  createdTo?: Date | undefined;
};

export type Page<Item> = { items: Item[]; hasMore: boolean };

/**
 * How one list reads its rows, newest first. `order` is the sort key, ending with the id (it breaks
 * ties between rows of one instant, so a row is on exactly one page while rows arrive); a table
 * with an identity id is ordered by the id alone. `cursorRow` reads that key of the row the cursor
 * names (`$1`), in SQL, so no timestamp is rounded through a JavaScript Date. `created` is the
 * column of `created[gte]` / `created[lte]`; `what` names the rows in the error for a cursor that
 * names none.
 */
export type KeysetList = {
  select: string;
  order: readonly string[];
  cursorRow: string;
  created: string;
  what: string;
};

/**
 * A filter of a list: SQL with one `?` for its value, left out when the value is undefined. SQL
 * without a `?` is a fixed condition that the value only switches on (`revoked_at IS NULL`).
 */
export type ListFilter = readonly [sql: string, value: unknown];

/**
 * One page of a list: the filters, the creation window and the cursor as conditions, limit + 1 rows
 * read to know whether another page follows. A cursor that names no row is refused (400), as a
 * mistyped id would otherwise read as the end of the list.
 */
export async function readKeysetPage<Row extends object, Item>(
  db: Queryable,
  list: KeysetList,
  filters: readonly ListFilter[],
  page: PageRequest<string | number>,
  toItem: (row: Row) => Item,
): Promise<Page<Item>> {
  const params: unknown[] = [];
  const conditions: string[] = [];
  const add = (sql: string, value: unknown) => {
    if (value === undefined) return;
    if (!sql.includes('?')) return void conditions.push(sql);
    params.push(value);
    conditions.push(sql.replace('?', `$${params.length}`));
  };
  for (const [sql, value] of filters) add(sql, value);
  add(`${list.created} >= ?`, page.createdFrom);
  add(`${list.created} <= ?`, page.createdTo);
  if (page.startingAfter !== undefined) {
    const cursor = await db.query(list.cursorRow, [page.startingAfter]);
    if (cursor.rows.length === 0) throw validationFailed(`starting_after: no ${list.what} "${page.startingAfter}"`);
    add(`(${list.order.join(', ')}) < (${list.cursorRow.replace('$1', '?')})`, page.startingAfter);
  }
  params.push(page.limit + 1);
  const where = conditions.length > 0 ? `WHERE ${conditions.join(' AND ')}` : '';
  const result = await db.query<Row>(`${list.select} ${where} ORDER BY ${list.order.map((column) => `${column} DESC`).join(', ')} LIMIT $${params.length}`, params);
  return { items: result.rows.slice(0, page.limit).map(toItem), hasMore: result.rows.length > page.limit };
}
