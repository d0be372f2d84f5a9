import { recordAudit } from '../../db/repositories/audit-log-repository.ts';
import { insertApiKey, type ApiKeyRecord } from '../../db/repositories/api-key-repository.ts';
import type { Actor, ServiceContext } from '../service-context.ts';
import { generateApiKey } from './api-key-secret.ts';

/** Returns the key in clear exactly once; only its hash is stored. */
export async function createApiKey(ctx: Pick<ServiceContext, 'db' | 'clock'>, name: string, actor: Actor): Promise<{ key: string; record: ApiKeyRecord }> {
  const now = ctx.clock.now();
  const { key, keyHash, keyPrefix } = generateApiKey();
  const record = await ctx.db.transaction(async (tx) => {
    const inserted = await insertApiKey(tx, { name, keyHash, keyPrefix }, now);
    await recordAudit(tx, { at: now, actor, entity: 'api_key', entityId: inserted.id, action: 'create', before: null, after: inserted });
    return inserted;
  });
  return { key, record };
}
