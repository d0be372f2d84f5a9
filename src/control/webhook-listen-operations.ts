import { z } from 'zod';
import { listWebhookDeliveries } from '../db/repositories/webhook-delivery-log-repository.ts';
import { OUTGOING_EVENT_TYPES } from '../domain/outgoing-event-type.ts';
import { presentWebhookDelivery } from '../http/webhook-endpoint-presenters.ts';
import { createWebhookEndpoint } from '../services/outgoing-webhooks/create-webhook-endpoint.ts';
import { removeWebhookEndpoint } from '../services/outgoing-webhooks/delete-webhook-endpoint.ts';
import type { WebhookServiceContext } from '../services/outgoing-webhooks/outgoing-webhooks-context.ts';
import type { ServiceContext } from '../services/service-context.ts';
import { RecurError } from '../shared/errors.ts';
import { defineControlOperation } from './control-operation.ts';

/** The description that marks an endpoint as `recur webhooks listen`'s own, removed when it stops. */
export const LISTEN_DESCRIPTION = 'recur webhooks listen (temporary)';
const CLI_ACTOR = 'cli';


function webhookContext(ctx: ServiceContext): WebhookServiceContext {
  if (!ctx.outgoingWebhooks) throw new RecurError('not_configured', 'this process does not deliver webhooks');
  return { db: ctx.db, clock: ctx.clock, config: ctx.config, outgoingWebhooks: ctx.outgoingWebhooks };
}

export const registerListenEndpointOperation = defineControlOperation({
  name: 'webhooks listen',
  input: z.object({ forward_to: z.string(), event_types: z.array(z.enum([...OUTGOING_EVENT_TYPES, '*'])).min(1) }).strict(),
  async run(ctx, input) {
    const { endpoint, secret } = await createWebhookEndpoint(webhookContext(ctx), { url: input.forward_to, eventTypes: input.event_types, description: LISTEN_DESCRIPTION, enabled: true }, CLI_ACTOR);
    return { id: endpoint.id, secret };
  },
});

export const listListenDeliveriesOperation = defineControlOperation({
  name: 'webhooks deliveries',
  input: z.object({ endpoint_id: z.uuid() }).strict(),
  async run(ctx, { endpoint_id }) {
    const page = await listWebhookDeliveries(ctx.db, { endpointId: endpoint_id, limit: 100 });
    return page.items.map(presentWebhookDelivery);
  },
});

export const removeListenEndpointOperation = defineControlOperation({
  name: 'webhooks remove',
  input: z.object({ endpoint_id: z.uuid() }).strict(),
  async run(ctx, { endpoint_id }) {
    await removeWebhookEndpoint(webhookContext(ctx), endpoint_id, CLI_ACTOR);
    return { id: endpoint_id, removed: true };
  },
});
