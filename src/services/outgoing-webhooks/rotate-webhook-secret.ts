import { findWebhookEndpoint, rotateWebhookEndpointSecret, type WebhookEndpointRecord } from '../../db/repositories/webhook-endpoint-repository.ts';
import { notFound } from '../../shared/errors.ts';
import type { Actor } from '../service-context.ts';
import { auditEndpoint } from './audit-endpoint.ts';
import type { WebhookServiceContext } from './outgoing-webhooks-context.ts';
import { generateSigningSecret } from './signing-secret-sealer.ts';

/**
 * A new signing secret (returned once); the current one stays valid for `overlapHours`
 * (WEBHOOK_SECRET_OVERLAP_HOURS unless given), and deliveries carry both signatures meanwhile, so
 * the shop can switch its receiver without losing a message. An overlap of 0 ends the old one now.
 * A secret still in its overlap from an earlier rotation is dropped: at most two sign at once.
 */
export async function rotateWebhookSecret(ctx: WebhookServiceContext, id: string, overlapHours: number | undefined, actor: Actor): Promise<{ endpoint: WebhookEndpointRecord; secret: string; previousExpiresAt: Date | null }> {
  const hours = overlapHours ?? ctx.outgoingWebhooks.defaultOverlapHours;
  const secret = generateSigningSecret();
  const now = ctx.clock.now();
  const previousExpiresAt = hours > 0 ? new Date(now.getTime() + hours * 60 * 60 * 1000) : null;
  const endpoint = await ctx.db.transaction(async (tx) => {
    const current = await findWebhookEndpoint(tx, id, { forUpdate: true });
    if (!current) throw notFound('webhook endpoint', id);
    const rotated = (await rotateWebhookEndpointSecret(tx, {
      id,
      secretSealed: ctx.outgoingWebhooks.sealer.seal(secret),
      previousSecretSealed: previousExpiresAt ? current.secretSealed : null,
      previousExpiresAt,
      now,
    }))!;
    await auditEndpoint(tx, { actor, endpointId: id, action: 'rotate_secret', after: { previous_secret_expires_at: previousExpiresAt?.toISOString() ?? null }, now });
    return rotated;
  });
  return { endpoint, secret, previousExpiresAt };
}
