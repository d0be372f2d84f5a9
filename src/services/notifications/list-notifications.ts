import {
  findNotification,
  listNotifications as listNotificationRows,
  type NotificationFilter,
  type NotificationRecord,
} from '../../db/repositories/notification-query-repository.ts';
import { notFound } from '../../shared/errors.ts';
import type { ServiceContext } from '../service-context.ts';

export type NotificationPage = { items: NotificationRecord[]; hasMore: boolean };

/** The outbox for admins, newest first, a page at a time; a cursor that names no notification is refused. */
export function listNotifications(ctx: Pick<ServiceContext, 'db'>, filter: NotificationFilter): Promise<NotificationPage> {
  return listNotificationRows(ctx.db, filter);
}

export async function getNotification(ctx: Pick<ServiceContext, 'db'>, id: string): Promise<NotificationRecord> {
  const notification = await findNotification(ctx.db, id);
  if (!notification) throw notFound('notification', id);
  return notification;
}
