import { expect } from 'vitest';

type ListAnswer = { data: { id: string | number }[]; has_more: boolean; next_cursor: string | number | null };
type Get = (url: string) => Promise<{ statusCode: number; json(): unknown }>;

/**
 * Reads a list route page by page as a client would: `starting_after` = the previous page's
 * `next_cursor`, until `has_more` is false. Checks on every page what the paging promises: at
 * most `limit` items, and a next cursor that is the id of the page's last item exactly when
 * another page follows. Answers every id in the order read, and how many pages it took.
 */
export async function pageThrough(get: Get, path: string, limit: number): Promise<{ ids: (string | number)[]; pages: number }> {
  const ids: (string | number)[] = [];
  let cursor: string | number | null = null;
  for (let pages = 1; pages <= 100; pages++) {
    const separator = path.includes('?') ? '&' : '?';
    const response = await get(`${path}${separator}limit=${limit}${cursor === null ? '' : `&starting_after=${encodeURIComponent(String(cursor))}`}`);
    expect(response.statusCode, JSON.stringify(response.json())).toBe(200);
    const page = response.json() as ListAnswer;
    expect(page.data.length).toBeLessThanOrEqual(limit);
    ids.push(...page.data.map((item) => item.id));
    if (!page.has_more) {
      expect(page.next_cursor).toBeNull();
      return { ids, pages };
    }
    expect(page.data.length).toBe(limit);
    expect(page.next_cursor).toBe(page.data.at(-1)!.id);
    cursor = page.next_cursor;
  }
  throw new Error(`${path}: still more after 100 pages`);
}
