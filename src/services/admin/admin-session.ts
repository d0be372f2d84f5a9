import { deleteAdminSession, findAdminSession, touchAdminSession, type AdminSessionOwner } from '../../db/repositories/admin-session-repository.ts';
import type { ServiceContext } from '../service-context.ts';
import { hashSessionId } from './admin-session-id.ts';
import { idleCutoff } from './admin-session-lifetime.ts';

/** A signed-in browser: who it acts as (`admin:{username}` in the audit log) and its forms' CSRF token. */
export type AdminSession = { idHash: string; owner: AdminSessionOwner; actor: string; csrfToken: string };

export type SessionLookup = { ok: true; session: AdminSession } | { ok: false; reason: 'missing' | 'expired' };

const actorOf = (owner: AdminSessionOwner): string => (owner.kind === 'user' ? `admin:${owner.username}` : `admin:api_key:${owner.id}`);

/**
 * The session a cookie names, if it is still alive: within its lifetime and seen within
 * ADMIN_SESSION_IDLE_MINUTES. A live session's last use moves to now; a lapsed one is deleted.
 */
export async function readAdminSession(ctx: Pick<ServiceContext, 'db' | 'clock' | 'config'>, sessionId: string | undefined): Promise<SessionLookup> {
  if (!sessionId) return { ok: false, reason: 'missing' };
  const idHash = hashSessionId(sessionId);
  const found = await findAdminSession(ctx.db, idHash);
  if (!found) return { ok: false, reason: 'missing' };
  const now = ctx.clock.now();
  if (found.expiresAt <= now || found.lastSeenAt < idleCutoff(ctx, now)) {
    await deleteAdminSession(ctx.db, idHash);
    return { ok: false, reason: 'expired' };
  }
  await touchAdminSession(ctx.db, idHash, now);
  return { ok: true, session: { idHash, owner: found.owner, actor: actorOf(found.owner), csrfToken: found.csrfToken } };
}

export async function signOutAdmin(ctx: Pick<ServiceContext, 'db'>, session: AdminSession): Promise<void> {
  await deleteAdminSession(ctx.db, session.idHash);
}
