import { recordAudit } from '../../db/repositories/audit-log-repository.ts';
import { findAdminUserCredentials } from '../../db/repositories/admin-user-repository.ts';
import { deleteLapsedAdminSessions, insertAdminSession } from '../../db/repositories/admin-session-repository.ts';
import { authenticateApiKey } from '../api-keys/authenticate-api-key.ts';
import type { ServiceContext } from '../service-context.ts';
import { generateSessionSecret, hashSessionId } from './admin-session-id.ts';
import { ADMIN_SESSION_MAX_MS, idleCutoff } from './admin-session-lifetime.ts';
import { normalizeUsername, PASSWORD_MAX_LENGTH } from './create-admin-user.ts';
import { decoyPasswordHash, verifyPassword } from './password-hash.ts';

export type SignInAttempt = { kind: 'password'; username: string; password: string } | { kind: 'api_key'; key: string };

/** A new session's id (the cookie's value, shown only now) and who it acts as; or no session. */
export type SignInOutcome = { ok: true; sessionId: string; actor: string } | { ok: false };

type Owner = { kind: 'user' | 'api_key'; id: string; actor: string; entity: 'admin_user' | 'api_key' };

/**
 * Opens a dashboard session for a staff account's password or an admin-scope API key. An unknown
 * username is checked against a decoy hash, so it costs what a wrong password costs.
 */
export async function signInAdmin(ctx: Pick<ServiceContext, 'db' | 'clock' | 'config'>, attempt: SignInAttempt): Promise<SignInOutcome> {
  const owner = attempt.kind === 'password' ? await checkPassword(ctx, attempt.username, attempt.password) : await checkApiKey(ctx, attempt.key);
  if (!owner) return { ok: false };
  const now = ctx.clock.now();
  const sessionId = generateSessionSecret();
  await ctx.db.transaction(async (tx) => {
    // Sign-ins are rare: clearing what can no longer be used here needs no job of its own.
    await deleteLapsedAdminSessions(tx, now, idleCutoff(ctx, now));
    await insertAdminSession(tx, { idHash: hashSessionId(sessionId), owner, csrfToken: generateSessionSecret(), now, expiresAt: new Date(now.getTime() + ADMIN_SESSION_MAX_MS) });
    await recordAudit(tx, { at: now, actor: owner.actor, entity: owner.entity, entityId: owner.id, action: 'admin_sign_in', before: null, after: null });
  });
  return { ok: true, sessionId, actor: owner.actor };
}

async function checkPassword(ctx: Pick<ServiceContext, 'db'>, username: string, password: string): Promise<Owner | null> {
  if (password.length === 0 || password.length > PASSWORD_MAX_LENGTH) return null;
  const user = await findAdminUserCredentials(ctx.db, normalizeUsername(username));
  const matches = await verifyPassword(password, user?.passwordHash ?? (await decoyPasswordHash()));
  return user && matches ? { kind: 'user', id: user.id, actor: `admin:${user.username}`, entity: 'admin_user' } : null;
}

async function checkApiKey(ctx: Pick<ServiceContext, 'db' | 'clock'>, key: string): Promise<Owner | null> {
  const result = await authenticateApiKey(ctx, `Bearer ${key.trim()}`);
  if (!result.ok || result.apiKey.scope !== 'admin') return null;
  return { kind: 'api_key', id: result.apiKey.id, actor: `admin:api_key:${result.apiKey.id}`, entity: 'api_key' };
}
