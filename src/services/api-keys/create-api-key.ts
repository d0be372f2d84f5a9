import { DEFAULT_API_KEY_SCOPE, type ApiKeyScope } from '../../domain/api-key-scope.ts';
import { recordAudit } from '../../db/repositories/audit-log-repository.ts';
import { insertApiKey, type ApiKeyRecord } from '../../db/repositories/api-key-repository.ts';
import type { Actor, ServiceContext } from '../service-context.ts';
import { generateApiKey } from './api-key-secret.ts';

/** Returns the key in clear exactly once; only its hash is stored. Its scope never changes: a key for other work is a new key. */
export async function createApiKey(
  ctx: Pick<ServiceContext, 'db' | 'clock'>,
  name: string,
  actor: Actor,
  scope: ApiKeyScope = DEFAULT_API_KEY_SCOPE,
): Promise<{ key: string; record: ApiKeyRecord }> {
  const now = ctx.clock.now();
  const { key, keyHash, keyPrefix } = generateApiKey();
  const record = await ctx.db.transaction(async (tx) => {
    const inserted = await insertApiKey(tx, { name, keyHash, keyPrefix, scope }, now);
    await recordAudit(tx, { at: now, actor, entity: 'api_key', entityId: inserted.id, action: 'create', before: null, after: inserted });
    return inserted;
  });
  return { key, record };
}
