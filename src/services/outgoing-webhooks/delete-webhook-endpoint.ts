import { deleteWebhookEndpoint, findWebhookEndpoint } from '../../db/repositories/webhook-endpoint-repository.ts';
import { notFound } from '../../shared/errors.ts';
import type { Actor } from '../service-context.ts';
import { auditedEndpoint, auditEndpoint } from './audit-endpoint.ts';
import type { WebhookServiceContext } from './outgoing-webhooks-context.ts';

/** Removes the endpoint with its delivery log; the events stay (other endpoints, replays). */
export async function removeWebhookEndpoint(ctx: WebhookServiceContext, id: string, actor: Actor): Promise<void> {
  const now = ctx.clock.now();
  await ctx.db.transaction(async (tx) => {
    const endpoint = await findWebhookEndpoint(tx, id, { forUpdate: true });
    if (!endpoint) throw notFound('webhook endpoint', id);
    await deleteWebhookEndpoint(tx, id);
    await auditEndpoint(tx, { actor, endpointId: id, action: 'delete', before: auditedEndpoint(endpoint), now });
  });
}
