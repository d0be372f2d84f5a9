import type { Queryable } from '../../db/database.ts';
import { enqueueAdminAlert } from '../../db/repositories/notification-outbox-repository.ts';
import type { ClaimedDelivery } from '../../db/repositories/webhook-delivery-repository.ts';
import type { ServiceSettings } from '../service-context.ts';

export const WEBHOOK_FAILED_TEMPLATE = 'admin-alert-webhook-failed';

/**
 * The admins learn that deliveries to an endpoint are being given up: once a day per endpoint
 * (a receiver that is down fails every event, and one mail says it), and once when recur disables
 * the endpoint. The URL is shown by host only: a path or query may carry the shop's token.
 */
export async function recordWebhookFailureAlert(
  tx: Queryable,
  config: Pick<ServiceSettings, 'ADMIN_EMAILS' | 'DEFAULT_LOCALE'>,
  input: { delivery: ClaimedDelivery; lastError: string; disabled: boolean; failingSince: Date | null; now: Date },
): Promise<void> {
  const { delivery, now } = input;
  const businessKey = input.disabled
    ? `alert:webhook-endpoint-disabled:${delivery.endpoint.id}:${(input.failingSince ?? now).toISOString()}`
    : `alert:webhook-failed:${delivery.endpoint.id}:${now.toISOString().slice(0, 10)}`;
  await enqueueAdminAlert(tx, {
    businessKey,
    template: WEBHOOK_FAILED_TEMPLATE,
    payload: {
      endpoint_id: delivery.endpoint.id,
      host: new URL(delivery.endpoint.url).host,
      event_id: delivery.event.id,
      type: delivery.event.type,
      attempts: delivery.attempts,
      last_error: input.lastError,
      disabled: input.disabled,
    },
    adminEmails: config.ADMIN_EMAILS ?? [],
    locale: config.DEFAULT_LOCALE,
    now,
  });
}
