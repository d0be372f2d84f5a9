import type { Queryable } from '../database.ts';
import { readKeysetPage, type KeysetList, type Page, type PageRequest } from '../keyset-page.ts';
import { escapeLikePattern } from './customer-search-repository.ts';
import type { AuditTrailItem } from './audit-log-repository.ts';

/**
 * The dashboard's filters of the audit log: `actorPrefix` matches the start of the actor
 * (`admin:` finds every staff member), `customerExternalId` the entries about that customer, their
 * subscriptions, payments and notices; `action` and `entity` match exactly.
 */
export type AuditLogFilter = PageRequest<number> & {
  actorPrefix?: string | undefined;
  customerExternalId?: string | undefined;
  action?: string | undefined;
  entity?: string | undefined;
};

type AuditLogRow = Omit<AuditTrailItem, 'id'> & { id: string | number };

const AUDIT_LOG_LIST: KeysetList = {
  select: 'SELECT a.id, a.actor, a.entity, a.entity_id, a.action, a.before, a.after, a.reason, a.at FROM audit_log a',
  // The identity id orders the entries as they were written.
  order: ['a.id'],
  cursorRow: 'SELECT id FROM audit_log WHERE id = $1',
  created: 'a.at',
  what: 'audit entry',
};

const ABOUT_CUSTOMER = `EXISTS (SELECT 1 FROM customers c WHERE c.external_id = ? AND (
  (a.entity = 'customer' AND a.entity_id = c.id::text)
  OR (a.entity = 'subscription' AND a.entity_id IN (SELECT id::text FROM subscriptions WHERE customer_id = c.id))
  OR (a.entity = 'payment' AND a.entity_id IN (SELECT id::text FROM payments WHERE customer_id = c.id))
  OR (a.entity = 'notification' AND a.entity_id IN (SELECT id::text FROM notification_outbox WHERE customer_id = c.id))))`;

/** The audit log newest first, a page at a time. */
export function listAuditLog(db: Queryable, filter: AuditLogFilter): Promise<Page<AuditTrailItem>> {
  const actorPattern = filter.actorPrefix === undefined ? undefined : `${escapeLikePattern(filter.actorPrefix)}%`;
  return readKeysetPage<AuditLogRow, AuditTrailItem>(
    db,
    AUDIT_LOG_LIST,
    [
      [`a.actor LIKE ? ESCAPE '\\'`, actorPattern],
      [ABOUT_CUSTOMER, filter.customerExternalId],
      ['a.action = ?', filter.action],
      ['a.entity = ?', filter.entity],
    ],
    filter,
    (row) => ({ ...row, id: Number(row.id) }),
  );
}
