import { findWebhookEndpoint, updateWebhookEndpoint, type WebhookEndpointChanges, type WebhookEndpointRecord } from '../../db/repositories/webhook-endpoint-repository.ts';
import { notFound } from '../../shared/errors.ts';
import type { Actor } from '../service-context.ts';
import { auditedEndpoint, auditEndpoint } from './audit-endpoint.ts';
import type { WebhookServiceContext } from './outgoing-webhooks-context.ts';
import { requireAllowedTarget } from './require-target.ts';

/** Changes what was given; a new URL is checked like a new endpoint's. Enabling clears the failure run that disabled it. */
export async function updateWebhookEndpointSettings(ctx: WebhookServiceContext, id: string, changes: WebhookEndpointChanges, actor: Actor): Promise<WebhookEndpointRecord> {
  if (changes.url !== undefined) await requireAllowedTarget(ctx.outgoingWebhooks, changes.url);
  const now = ctx.clock.now();
  return ctx.db.transaction(async (tx) => {
    const before = await findWebhookEndpoint(tx, id, { forUpdate: true });
    if (!before) throw notFound('webhook endpoint', id);
    const after = (await updateWebhookEndpoint(tx, id, changes, now))!;
    await auditEndpoint(tx, { actor, endpointId: id, action: 'update', before: auditedEndpoint(before), after: auditedEndpoint(after), now });
    return after;
  });
}
