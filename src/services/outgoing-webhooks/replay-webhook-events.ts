import { WEBHOOK_RETRY_WINDOW_MS } from '../../domain/webhook-retry-schedule.ts';
import { insertReplayDeliveries } from '../../db/repositories/webhook-delivery-repository.ts';
import { findWebhookEndpoint } from '../../db/repositories/webhook-endpoint-repository.ts';
import { conflict, notFound, validationFailed } from '../../shared/errors.ts';
import type { Actor } from '../service-context.ts';
import { auditEndpoint } from './audit-endpoint.ts';
import type { WebhookServiceContext } from './outgoing-webhooks-context.ts';

/**
 * Every event of the endpoint's types recorded since `since` goes to it again: a new delivery row
 * each, with the event's own id as webhook-id, so a receiver that had it can tell (and its
 * sequence says whether it is older than what it holds).
 */
export async function replayWebhookEvents(ctx: WebhookServiceContext, endpointId: string, since: Date, actor: Actor): Promise<{ queued: number }> {
  const now = ctx.clock.now();
  if (since.getTime() > now.getTime()) throw validationFailed('since: expected a time in the past');
  const queued = await ctx.db.transaction(async (tx) => {
    const endpoint = await findWebhookEndpoint(tx, endpointId, { forUpdate: true });
    if (!endpoint) throw notFound('webhook endpoint', endpointId);
    if (!endpoint.enabled) throw conflict(`webhook endpoint "${endpointId}" is disabled: enable it first (PATCH {"enabled": true})`);
    const count = await insertReplayDeliveries(tx, { endpointId, since, now, giveUpAt: new Date(now.getTime() + WEBHOOK_RETRY_WINDOW_MS) });
    await auditEndpoint(tx, { actor, endpointId, action: 'replay', after: { since: since.toISOString(), queued: count }, now });
    return count;
  });
  ctx.outgoingWebhooks.wake?.();
  return { queued };
}
