import type { FastifyInstance } from 'fastify';
import { tokensEqual } from '../../../services/admin/admin-session-id.ts';
import { readAdminSession, type AdminSession } from '../../../services/admin/admin-session.ts';
import type { ServiceContext } from '../../../services/service-context.ts';
import type { PageRenderer } from '../page-renderer.ts';
import { adminCookieOptions, SESSION_COOKIE } from './admin-cookies.ts';
import { sendAdminMessage } from './admin-page.ts';
import { formField } from './form-field.ts';

declare module 'fastify' {
  interface FastifyRequest {
    /** The signed-in staff member's session on /admin pages (set by requireAdminSession). */
    adminSession: AdminSession | null;
  }
}

/**
 * Guards every route of `scope`: without a live session the browser is sent to the sign-in page
 * (303), and a POST must carry the session's CSRF token in `_csrf` (403 otherwise). In preHandler,
 * so a POST's form is parsed when its token is checked.
 */
export function requireAdminSession(scope: FastifyInstance, ctx: ServiceContext, renderer: PageRenderer): void {
  const cookie = adminCookieOptions(ctx);
  scope.decorateRequest('adminSession', null);
  scope.addHook('preHandler', async (request, reply) => {
    const lookup = await readAdminSession(ctx, request.cookies[SESSION_COOKIE]);
    if (!lookup.ok) {
      if (request.cookies[SESSION_COOKIE] !== undefined) reply.clearCookie(SESSION_COOKIE, cookie);
      return reply.redirect(lookup.reason === 'expired' ? '/admin/sign-in?expired=1' : '/admin/sign-in', 303);
    }
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      const token = formField(request.body, '_csrf');
      if (!token || !tokensEqual(token, lookup.session.csrfToken)) {
        return sendAdminMessage(reply, renderer, 403, {
          heading: 'This form cannot be used',
          paragraphs: ['The form was not sent from a page of this session, so nothing was done. Go back, reload the page and try again.'],
          action: { href: '/admin', label: 'Overview' },
        });
      }
    }
    request.adminSession = lookup.session;
  });
}
