import type { ProviderId } from '../../domain/provider.ts';
import type { SubscriptionStatus } from '../../domain/subscription-status.ts';
import type { Queryable } from '../database.ts';
import { readKeysetPage, type KeysetList, type Page, type PageRequest } from '../keyset-page.ts';
import { escapeLikePattern } from './customer-search-repository.ts';
import { SELECT_SUBSCRIPTIONS, toSubscriptionRecord, type SubscriptionRecord } from './subscription-repository.ts';

/** The dashboard's filters: each one optional; `customerText` is part of an e-mail address, shop id or name. */
export type AdminSubscriptionFilter = PageRequest & {
  status?: SubscriptionStatus | undefined;
  planId?: string | undefined;
  provider?: ProviderId | undefined;
  customerText?: string | undefined;
};

const ADMIN_SUBSCRIPTION_LIST: KeysetList = {
  select: SELECT_SUBSCRIPTIONS,
  order: ['s.created_at', 's.id'],
  cursorRow: 'SELECT created_at, id FROM subscriptions WHERE id = $1',
  created: 's.created_at',
  what: 'subscription',
};

/**
 * Subscriptions newest first, keyset-paged as the API's list. The customer text is one parameter
 * matched against the three columns joined (its wildcards escaped, as in the customer search).
 */
export function listSubscriptionsForAdmin(db: Queryable, filter: AdminSubscriptionFilter): Promise<Page<SubscriptionRecord>> {
  const pattern = filter.customerText === undefined ? undefined : `%${escapeLikePattern(filter.customerText)}%`;
  return readKeysetPage(
    db,
    ADMIN_SUBSCRIPTION_LIST,
    [
      ['s.status = ?', filter.status],
      ['s.plan_id = ?', filter.planId],
      ['s.provider = ?', filter.provider],
      // SELECT_SUBSCRIPTIONS joins the customer as c; the pattern is bound once and read three times.
      [`EXISTS (SELECT 1 FROM (SELECT ?::text AS p) q WHERE c.email ILIKE q.p ESCAPE '\\' OR c.external_id ILIKE q.p ESCAPE '\\' OR c.name ILIKE q.p ESCAPE '\\')`, pattern],
    ],
    filter,
    toSubscriptionRecord,
  );
}
