import type { FastifyInstance } from 'fastify';
import { signOutAdmin } from '../../../services/admin/admin-session.ts';
import type { ServiceContext } from '../../../services/service-context.ts';
import { adminCookieOptions, SESSION_COOKIE } from './admin-cookies.ts';

/** Ends the session in the database (the cookie alone would outlive a cleared browser elsewhere). */
export function signOutRoute(admin: FastifyInstance, ctx: ServiceContext): void {
  admin.post('/sign-out', { schema: { hide: true } }, async (request, reply) => {
    if (request.adminSession) await signOutAdmin(ctx, request.adminSession);
    reply.clearCookie(SESSION_COOKIE, adminCookieOptions(ctx));
    return reply.redirect('/admin/sign-in', 303);
  });
}
