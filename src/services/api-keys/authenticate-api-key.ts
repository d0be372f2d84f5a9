import { findActiveApiKeyByHash, touchApiKey, type ApiKeyRecord } from '../../db/repositories/api-key-repository.ts';
import type { ServiceContext } from '../service-context.ts';
import { apiKeyCacheOf } from './api-key-cache.ts';
import { hashApiKey, looksLikeApiKey } from './api-key-secret.ts';

export type Authentication = { ok: true; apiKey: ApiKeyRecord } | { ok: false; reason: 'missing' | 'malformed' | 'unknown' };

/**
 * Checks a `Bearer` header. The lookup is by hash, so the time it takes does not depend on how
 * much of a guessed key is right. An active key is remembered for a few seconds (ApiKeyCache);
 * an unknown one is asked for every time, so a key created anywhere works at once. The key's
 * use is recorded at most once a minute, after the answer is decided and without waiting for it:
 * a request never pays for that write, and a failed write only leaves last_used_at older.
 */
export async function authenticateApiKey(ctx: Pick<ServiceContext, 'db' | 'clock'>, authorization: string | undefined): Promise<Authentication> {
  if (!authorization) return { ok: false, reason: 'missing' };
  const match = /^Bearer (\S+)$/i.exec(authorization.trim());
  if (!match?.[1] || !looksLikeApiKey(match[1])) return { ok: false, reason: 'malformed' };
  const now = ctx.clock.now();
  const cache = apiKeyCacheOf(ctx.db);
  const keyHash = hashApiKey(match[1]);
  let apiKey = cache.find(keyHash);
  if (!apiKey) {
    apiKey = await findActiveApiKeyByHash(ctx.db, keyHash);
    if (!apiKey) return { ok: false, reason: 'unknown' };
    cache.remember(keyHash, apiKey);
  }
  if (cache.claimTouch(apiKey, now)) void touchApiKey(ctx.db, apiKey.id, now).catch(() => undefined);
  return { ok: true, apiKey };
}
