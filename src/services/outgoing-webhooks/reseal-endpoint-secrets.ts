import { listSealedEndpointSecrets, replaceSealedEndpointSecrets } from '../../db/repositories/webhook-endpoint-repository.ts';
import type { WebhookServiceContext } from './outgoing-webhooks-context.ts';

/**
 * After LINK_SIGNING_SECRET was replaced (the old key in LINK_SIGNING_SECRET_PREVIOUS): every
 * endpoint secret still sealed under the old key is sealed again under the new one, so the old key
 * can be removed at the next start. The secrets themselves do not change: receivers notice nothing.
 * A row that cannot be opened under either key is left as it is (its deliveries fail and say so).
 */
export async function resealEndpointSecrets(ctx: Pick<WebhookServiceContext, 'db' | 'clock' | 'outgoingWebhooks'>): Promise<{ resealed: number; unreadable: number }> {
  const { sealer } = ctx.outgoingWebhooks;
  let resealed = 0;
  let unreadable = 0;
  for (const row of await listSealedEndpointSecrets(ctx.db)) {
    const texts = [row.secretSealed, row.previousSecretSealed].filter((text): text is string => text !== null);
    if (texts.every((text) => sealer.sealedUnderCurrentKey(text))) continue;
    const again = (text: string | null) => (text === null || sealer.sealedUnderCurrentKey(text) ? text : sealer.seal(sealer.open(text)));
    let secretSealed: string;
    let previousSecretSealed: string | null;
    try {
      secretSealed = again(row.secretSealed)!;
      previousSecretSealed = again(row.previousSecretSealed);
    } catch {
      unreadable += 1;
      continue;
    }
    if (await replaceSealedEndpointSecrets(ctx.db, { id: row.id, was: row, secretSealed, previousSecretSealed, now: ctx.clock.now() })) resealed += 1;
  }
  return { resealed, unreadable };
}
