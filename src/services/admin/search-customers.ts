import { searchCustomers as searchCustomerRows, type CustomerSearchHit } from '../../db/repositories/customer-search-repository.ts';
import type { ServiceContext } from '../service-context.ts';

export const SEARCH_MAX_LENGTH = 200;
const SEARCH_LIMIT = 50;

export type CustomerSearch = { query: string; hits: CustomerSearchHit[]; hasMore: boolean };

/** The dashboard's customer search: e-mail, shop id or name containing the text; empty text finds nothing. */
export async function searchCustomers(ctx: Pick<ServiceContext, 'db'>, text: string): Promise<CustomerSearch> {
  const query = text.trim().slice(0, SEARCH_MAX_LENGTH);
  if (query.length === 0) return { query, hits: [], hasMore: false };
  return { query, ...(await searchCustomerRows(ctx.db, query, SEARCH_LIMIT)) };
}
