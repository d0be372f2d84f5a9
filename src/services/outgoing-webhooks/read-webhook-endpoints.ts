import { findWebhookEndpoint, listWebhookEndpoints, type WebhookEndpointRecord } from '../../db/repositories/webhook-endpoint-repository.ts';
import { listWebhookDeliveries, type WebhookDeliveryFilter, type WebhookDeliveryRecord } from '../../db/repositories/webhook-delivery-log-repository.ts';
import type { Page, PageRequest } from '../../db/keyset-page.ts';
import { notFound } from '../../shared/errors.ts';
import type { WebhookServiceContext } from './outgoing-webhooks-context.ts';

export async function getWebhookEndpoint(ctx: Pick<WebhookServiceContext, 'db'>, id: string): Promise<WebhookEndpointRecord> {
  const endpoint = await findWebhookEndpoint(ctx.db, id);
  if (!endpoint) throw notFound('webhook endpoint', id);
  return endpoint;
}

export const listEndpoints = (ctx: Pick<WebhookServiceContext, 'db'>, page: PageRequest): Promise<Page<WebhookEndpointRecord>> => listWebhookEndpoints(ctx.db, page);

/** The endpoint's delivery log, newest first, with every attempt. */
export async function listEndpointDeliveries(ctx: Pick<WebhookServiceContext, 'db'>, input: WebhookDeliveryFilter): Promise<Page<WebhookDeliveryRecord>> {
  await getWebhookEndpoint(ctx, input.endpointId);
  return listWebhookDeliveries(ctx.db, input);
}
