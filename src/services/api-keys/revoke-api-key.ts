import { recordAudit } from '../../db/repositories/audit-log-repository.ts';
import { markApiKeyRevoked, type ApiKeyRecord } from '../../db/repositories/api-key-repository.ts';
import { RecurError } from '../../shared/errors.ts';
import type { Actor, ServiceContext } from '../service-context.ts';
import { apiKeyCacheOf } from './api-key-cache.ts';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Revokes an active key; it fails its next request to this process, and to the other processes
 * of the deployment within API_KEY_CACHE_MS (how long they trust a key they found active). A key
 * may revoke itself (a leaked key is revoked at once by whoever holds it; `recur keys create`
 * still works when it was the last one).
 */
export async function revokeApiKey(ctx: Pick<ServiceContext, 'db' | 'clock'>, id: string, actor: Actor): Promise<ApiKeyRecord> {
  const now = ctx.clock.now();
  // Not a UUID: no key can have it, and the database would refuse the comparison.
  const revoked = !UUID.test(id)
    ? null
    : await ctx.db.transaction(async (tx) => {
        const record = await markApiKeyRevoked(tx, id, now);
        if (record) await recordAudit(tx, { at: now, actor, entity: 'api_key', entityId: id, action: 'revoke', before: { revokedAt: null }, after: { revokedAt: now } });
        return record;
      });
  if (!revoked) throw new RecurError('not_found', `no active API key with id ${id}`);
  // This process refuses the key from its next request; others within API_KEY_CACHE_MS.
  apiKeyCacheOf(ctx.db).forget(id);
  return revoked;
}
