import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { publicBaseUrlOf } from '../../../runtime/public-base-url.ts';
import { openPortalSession } from '../../../services/portal/open-portal-session.ts';
import type { ServiceContext } from '../../../services/service-context.ts';
import { PORTAL_COOKIE, portalCookieOptions } from './portal-session-cookie.ts';
import type { PortalPageKit } from './portal-page-kit.ts';

/**
 * The way into the portal and the page for a session that ended: no session needed. Opening the
 * link spends it and sets the session cookie, then the browser goes on to /portal (303), so the
 * token leaves the address bar at once.
 */
export function portalEntryRoutes(app: FastifyInstance, ctx: ServiceContext, kit: PortalPageKit): void {
  const api = app.withTypeProvider<ZodTypeProvider>();
  const cookieOptions = (expiresAt: Date) => portalCookieOptions(publicBaseUrlOf(ctx.config), expiresAt);

  api.get('/portal/enter', { schema: { hide: true, querystring: z.object({ token: z.string().max(256).optional() }) } }, async (request, reply) => {
    const entry = await openPortalSession(ctx, request.query.token ?? '');
    switch (entry.kind) {
      case 'opened':
        return reply.setCookie(PORTAL_COOKIE, entry.sessionId, cookieOptions(entry.expiresAt)).redirect('/portal', 303);
      case 'spent':
      case 'expired':
        // In the customer's language: the link knows whom it was for.
        return kit.sendMessage(request, reply, 410, (w) => ({ heading: w.linkUsedTitle, paragraphs: [w.linkUsed] }), { locale: entry.locale });
      case 'unknown':
        return kit.sendMessage(request, reply, 404, (w) => ({ heading: w.linkUnknownTitle, paragraphs: [w.linkUnknown] }));
    }
  });

  api.get('/portal/ended', { schema: { hide: true } }, async (request, reply) => {
    reply.clearCookie(PORTAL_COOKIE, { path: '/portal' });
    return kit.sendMessage(request, reply, 200, (w) => ({ heading: w.sessionEndedTitle, paragraphs: [w.sessionEnded] }));
  });
}
