import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { NOTIFICATION_STATUSES, type NotificationRecord } from '../../db/repositories/notification-query-repository.ts';
import { getNotification, listNotifications } from '../../services/notifications/list-notifications.ts';
import { retryNotification } from '../../services/notifications/retry-notification.ts';
import type { ServiceContext } from '../../services/service-context.ts';
import { errorJson } from '../presenters.ts';
import { documented, withExample } from '../api-examples.ts';
import { listJson, listQuery, onePage, presentPage, toPageRequest } from '../list-page.ts';
import { externalIdParam } from './customer-routes.ts';

const timestamp = z.iso.datetime();
const iso = (date: Date | null): string | null => (date ? date.toISOString() : null);

const EMAIL = /([^\s@<>"'():;,]+)@([^\s@<>"'():;,]+\.[^\s@<>"'():;,]+)/g;
const PHONE = /\+\d{7,15}/g;

/**
 * Addresses and numbers in a list of notices are shown masked (j***@example.nl, +316*****78): the
 * list is read often and widely, and the full value is one request away in the customer resource.
 * A fixed count of stars keeps the length of the original hidden too.
 */
export function maskContacts(text: string): string {
  return text.replace(EMAIL, (_match, local: string, domain: string) => `${local.slice(0, 1)}***@${domain}`).replace(PHONE, (phone) => `${phone.slice(0, 4)}*****${phone.slice(-2)}`);
}

const notificationJson = z.object({
  id: z.uuid(),
  business_key: z.string().describe('one decision to notify, one key (addresses in it masked)'),
  customer: z.string().nullable().describe("the shop's external customer id; null for admin notices"),
  subscription_id: z.uuid().nullable(),
  channel: z.enum(['email', 'sms']),
  template: z.string(),
  recipient: z.string().describe('masked; the full address is in the customer resource'),
  locale: z.enum(['nl', 'en']),
  status: z.enum(NOTIFICATION_STATUSES),
  attempts: z.number().int(),
  last_error: z.string().nullable(),
  error_code: z.string().nullable().describe("the provider's code of a permanent failure (21610, invalid address, ...)"),
  delivery_status: z.string().nullable().describe("the provider's last delivery report (delivered, bounce, undelivered, ...)"),
  delivery_detail: z.string().nullable(),
  provider_message_id: z.string().nullable(),
  due_at: timestamp,
  sent_at: timestamp.nullable(),
  created_at: timestamp,
  updated_at: timestamp,
});

const notificationExample: z.output<typeof notificationJson> = {
  id: 'c4a1e2f3-5b6c-4d7e-8f90-a1b2c3d4e5f6',
  business_key: 'trial-reminder:5d0c8f2a-1b3e-4c6d-8e9f-a0b1c2d3e4f5:2026-03-31T10:00:00.000Z',
  customer: 'shop-1042',
  subscription_id: '5d0c8f2a-1b3e-4c6d-8e9f-a0b1c2d3e4f5',
  channel: 'email',
  template: 'trial-reminder',
  recipient: 's***@example.nl',
  locale: 'nl',
  status: 'delivered',
  attempts: 1,
  last_error: null,
  error_code: null,
  delivery_status: 'delivered',
  delivery_detail: null,
  provider_message_id: 'W2nRzXo8Q7mE1bT0cVgKfA',
  due_at: '2026-03-24T10:00:00.000Z',
  sent_at: '2026-03-24T10:00:02.000Z',
  created_at: '2026-03-24T10:00:00.000Z',
  updated_at: '2026-03-24T10:00:09.000Z',
};

const masked = (text: string | null): string | null => (text === null ? null : maskContacts(text));

const presentNotification = (notification: NotificationRecord): z.infer<typeof notificationJson> => ({
  id: notification.id,
  business_key: maskContacts(notification.businessKey),
  customer: notification.customerExternalId,
  subscription_id: notification.subscriptionId,
  channel: notification.channel,
  template: notification.template,
  recipient: maskContacts(notification.recipient),
  locale: notification.locale,
  status: notification.status,
  attempts: notification.attempts,
  last_error: masked(notification.lastError),
  error_code: notification.errorCode,
  delivery_status: notification.deliveryStatus,
  delivery_detail: masked(notification.deliveryDetail),
  provider_message_id: notification.providerMessageId,
  due_at: notification.dueAt.toISOString(),
  sent_at: iso(notification.sentAt),
  created_at: notification.createdAt.toISOString(),
  updated_at: notification.updatedAt.toISOString(),
});

const notificationListQuery = listQuery(z.uuid(), {
  customer: externalIdParam.shape.id.optional(),
  status: z.enum(NOTIFICATION_STATUSES).optional(),
  template: z.string().regex(/^[a-z0-9][a-z0-9-]{0,79}$/, 'expected a template name such as trial-reminder').optional(),
  channel: z.enum(['email', 'sms']).optional(),
});

const idParam = z.object({ id: z.uuid() });

/** The notification outbox for admins: what was sent to whom and how it went, and a way to try a failed one again. */
export function notificationRoutes(app: FastifyInstance, ctx: ServiceContext): void {
  const api = app.withTypeProvider<ZodTypeProvider>();

  api.get(
    '/notifications',
    {
      schema: {
        tags: ['notifications'],
        summary: 'List notices (e-mail and SMS), newest first, without their content; recipients masked',
        querystring: notificationListQuery,
        response: { 200: documented(listJson(notificationJson, z.uuid()), 'Notices, newest first, addresses masked', onePage(notificationExample)), 400: errorJson, 401: errorJson },
      },
    },
    async (request) => {
      const { customer, status, template, channel } = request.query;
      const page = await listNotifications(ctx, { ...toPageRequest(request.query), customerExternalId: customer, status, template, channel });
      return presentPage(page, presentNotification);
    },
  );

  api.get(
    '/notifications/:id',
    {
      schema: {
        tags: ['notifications'],
        summary: 'Read one notice: its status, attempts and delivery report',
        params: idParam,
        response: { 200: documented(notificationJson, 'The notice', notificationExample), 400: errorJson, 401: errorJson, 404: errorJson },
      },
    },
    async (request) => presentNotification(await getNotification(ctx, request.params.id)),
  );

  api.post(
    '/notifications/:id/retry',
    {
      schema: {
        tags: ['notifications'],
        summary: 'Send a dead or failed notice again: pending, due now, attempts reset (audit-logged)',
        params: idParam,
        body: withExample(z.object({}).strict().nullish(), {}),
        response: { 200: documented(notificationJson, 'The notice, due again now', { ...notificationExample, status: 'pending', attempts: 0, delivery_status: null, sent_at: null }), 400: errorJson, 401: errorJson, 404: errorJson, 409: errorJson },
      },
    },
    async (request) => presentNotification(await retryNotification(ctx, request.params.id, request.actor)),
  );
}
