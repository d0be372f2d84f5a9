import { findActiveApiKeyByHash, touchApiKey, type ApiKeyRecord } from '../../db/repositories/api-key-repository.ts';
import type { ServiceContext } from '../service-context.ts';
import { hashApiKey, looksLikeApiKey } from './api-key-secret.ts';

export type Authentication = { ok: true; apiKey: ApiKeyRecord } | { ok: false; reason: 'missing' | 'malformed' | 'unknown' };

/**
 * Checks a `Bearer` header. The lookup is by hash, so the time it takes does not depend on how
 * much of a guessed key is right.
 */
export async function authenticateApiKey(ctx: Pick<ServiceContext, 'db' | 'clock'>, authorization: string | undefined): Promise<Authentication> {
  if (!authorization) return { ok: false, reason: 'missing' };
  const match = /^Bearer (\S+)$/i.exec(authorization.trim());
  if (!match?.[1] || !looksLikeApiKey(match[1])) return { ok: false, reason: 'malformed' };
  const apiKey = await findActiveApiKeyByHash(ctx.db, hashApiKey(match[1]));
  if (!apiKey) return { ok: false, reason: 'unknown' };
  await touchApiKey(ctx.db, apiKey.id, ctx.clock.now());
  return { ok: true, apiKey };
}
