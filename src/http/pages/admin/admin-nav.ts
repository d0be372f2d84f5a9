import type { FastifyRequest } from 'fastify';

export type AdminNavItem = 'overview' | 'customers' | 'subscriptions' | 'payments' | 'notifications' | 'audit' | 'webhooks' | 'reconciliation';

/** What every signed-in page's navigation shows: who is signed in, the current page, the sign-out form's token. */
export function adminNav(request: FastifyRequest, current: AdminNavItem | null): { signedInAs: string; csrf: string; current: AdminNavItem | null } {
  const session = request.adminSession;
  if (!session) throw new Error('an admin page was served without requireAdminSession');
  const signedInAs = session.owner.kind === 'user' ? session.owner.username : `API key "${session.owner.name}"`;
  return { signedInAs, csrf: session.csrfToken, current };
}
