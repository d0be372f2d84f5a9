import { recordAudit } from '../../db/repositories/audit-log-repository.ts';
import { findWebhookDelivery, requeueWebhookDelivery, type WebhookDeliveryRecord } from '../../db/repositories/webhook-delivery-log-repository.ts';
import { conflict, notFound } from '../../shared/errors.ts';
import type { Actor } from '../service-context.ts';
import type { WebhookServiceContext } from './outgoing-webhooks-context.ts';

/** One more attempt at a settled delivery, now (as Stripe's "resend"); the worker is woken. */
export async function retryWebhookDelivery(ctx: WebhookServiceContext, id: string, actor: Actor): Promise<WebhookDeliveryRecord> {
  const now = ctx.clock.now();
  await ctx.db.transaction(async (tx) => {
    const delivery = await findWebhookDelivery(tx, id);
    if (!delivery) throw notFound('webhook delivery', id);
    if (!(await requeueWebhookDelivery(tx, id, now))) throw conflict(`webhook delivery "${id}" is ${delivery.status}: only a succeeded or failed delivery can be retried`);
    await recordAudit(tx, { at: now, actor, entity: 'webhook_delivery', entityId: id, action: 'retry', before: { status: delivery.status, attempts: delivery.attempts }, after: { status: 'pending' } });
  });
  ctx.outgoingWebhooks.wake?.();
  return (await findWebhookDelivery(ctx.db, id))!;
}
