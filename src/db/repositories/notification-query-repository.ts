import type { Queryable } from '../database.ts';
import { readKeysetPage, type KeysetList, type Page, type PageRequest } from '../keyset-page.ts';

export const NOTIFICATION_STATUSES = ['pending', 'sending', 'sent', 'delivered', 'failed', 'bounced', 'dead', 'suppressed', 'canceled'] as const;
export type NotificationStatus = (typeof NOTIFICATION_STATUSES)[number];

/** One outbox row as admins see it: everything but the payload (personal data, and large). */
export type NotificationRecord = {
  id: string;
  businessKey: string;
  customerId: string | null;
  customerExternalId: string | null;
  subscriptionId: string | null;
  channel: 'email' | 'sms';
  template: string;
  recipient: string;
  locale: 'nl' | 'en';
  status: NotificationStatus;
  attempts: number;
  lastError: string | null;
  errorCode: string | null;
  deliveryStatus: string | null;
  deliveryDetail: string | null;
  providerMessageId: string | null;
  dueAt: Date;
  sentAt: Date | null;
  createdAt: Date;
  updatedAt: Date;
};

type NotificationRow = {
  id: string;
  business_key: string;
  customer_id: string | null;
  customer_external_id: string | null;
  subscription_id: string | null;
  channel: 'email' | 'sms';
  template: string;
  recipient: string;
  locale: 'nl' | 'en';
  status: NotificationStatus;
  attempts: number;
  last_error: string | null;
  error_code: string | null;
  delivery_status: string | null;
  delivery_detail: string | null;
  provider_message_id: string | null;
  due_at: Date;
  sent_at: Date | null;
  created_at: Date;
  updated_at: Date;
};

const SELECT_NOTIFICATIONS = `SELECT n.id, n.business_key, n.customer_id, c.external_id AS customer_external_id, n.subscription_id, n.channel, n.template,
       n.recipient, n.locale, n.status, n.attempts, n.last_error, n.error_code, n.delivery_status, n.delivery_detail,
       n.provider_message_id, n.due_at, n.sent_at, n.created_at, n.updated_at
  FROM notification_outbox n LEFT JOIN customers c ON c.id = n.customer_id`;

const toRecord = (row: NotificationRow): NotificationRecord => ({
  id: row.id,
  businessKey: row.business_key,
  customerId: row.customer_id,
  customerExternalId: row.customer_external_id,
  subscriptionId: row.subscription_id,
  channel: row.channel,
  template: row.template,
  recipient: row.recipient,
  locale: row.locale,
  status: row.status,
  attempts: row.attempts,
  lastError: row.last_error,
  errorCode: row.error_code,
  deliveryStatus: row.delivery_status,
  deliveryDetail: row.delivery_detail,
  providerMessageId: row.provider_message_id,
  dueAt: row.due_at,
  sentAt: row.sent_at,
  createdAt: row.created_at,
  updatedAt: row.updated_at,
});

export async function findNotification(db: Queryable, id: string, options: { forUpdate?: boolean } = {}): Promise<NotificationRecord | null> {
  const lock = options.forUpdate ? ' FOR UPDATE OF n' : '';
  const result = await db.query<NotificationRow>(`${SELECT_NOTIFICATIONS} WHERE n.id = $1${lock}`, [id]);
  return result.rows[0] ? toRecord(result.rows[0]) : null;
}

export type NotificationFilter = PageRequest & {
  customerExternalId?: string | undefined;
  status?: NotificationStatus | undefined;
  template?: string | undefined;
  channel?: 'email' | 'sms' | undefined;
};

const NOTIFICATION_LIST: KeysetList = {
  select: SELECT_NOTIFICATIONS,
  order: ['n.created_at', 'n.id'],
  cursorRow: 'SELECT created_at, id FROM notification_outbox WHERE id = $1',
  created: 'n.created_at',
  what: 'notification',
};

/** Newest first (created_at, then id, so rows of one instant keep one order across pages). */
export function listNotifications(db: Queryable, filter: NotificationFilter): Promise<Page<NotificationRecord>> {
  const filters = [['c.external_id = ?', filter.customerExternalId], ['n.status = ?', filter.status], ['n.template = ?', filter.template], ['n.channel = ?', filter.channel]] as const;
  return readKeysetPage(db, NOTIFICATION_LIST, filters, filter, toRecord);
}

/**
 * Puts a row back in the queue, due now, as if it had never been tried: the claim, the last
 * provider message and its delivery report belong to the attempt that failed.
 */
export async function resetNotificationForRetry(tx: Queryable, id: string, now: Date): Promise<void> {
  await tx.query(
    `UPDATE notification_outbox
        SET status = 'pending', attempts = 0, due_at = $2, last_error = NULL, error_code = NULL, provider_message_id = NULL, sent_at = NULL,
            claim_token = NULL, claimed_at = NULL, claim_expires_at = NULL,
            delivery_status = NULL, delivery_detail = NULL, delivery_updated_at = NULL, updated_at = $2
      WHERE id = $1`,
    [id, now],
  );
}
