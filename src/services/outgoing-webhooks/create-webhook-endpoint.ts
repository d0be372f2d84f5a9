import { insertWebhookEndpoint, type WebhookEndpointRecord } from '../../db/repositories/webhook-endpoint-repository.ts';
import type { Actor } from '../service-context.ts';
import { auditedEndpoint, auditEndpoint } from './audit-endpoint.ts';
import type { WebhookServiceContext } from './outgoing-webhooks-context.ts';
import { requireAllowedTarget } from './require-target.ts';
import { generateSigningSecret } from './signing-secret-sealer.ts';

export type NewEndpointInput = { url: string; eventTypes: string[]; description: string | null; enabled: boolean };

/**
 * Saves an endpoint with a new signing secret, which is returned here and never again (the row
 * holds it sealed). It receives the events recorded from now on; older ones only by a replay.
 */
export async function createWebhookEndpoint(ctx: WebhookServiceContext, input: NewEndpointInput, actor: Actor): Promise<{ endpoint: WebhookEndpointRecord; secret: string }> {
  await requireAllowedTarget(ctx.outgoingWebhooks, input.url);
  const secret = generateSigningSecret();
  const now = ctx.clock.now();
  const endpoint = await ctx.db.transaction(async (tx) => {
    const created = await insertWebhookEndpoint(tx, { ...input, secretSealed: ctx.outgoingWebhooks.sealer.seal(secret), now });
    await auditEndpoint(tx, { actor, endpointId: created.id, action: 'create', after: auditedEndpoint(created), now });
    return created;
  });
  return { endpoint, secret };
}
