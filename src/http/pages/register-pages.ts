import { fileURLToPath } from 'node:url';
import fastifyCookie from '@fastify/cookie';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance } from 'fastify';
import { shopNameOf } from '../../config/shop-name.ts';
import type { ServiceContext } from '../../services/service-context.ts';
import { createPageRenderer, type PageRenderer } from './page-renderer.ts';
import { pageContentSecurityPolicy, renderThemeCss } from './page-theme.ts';
import { wakeWorkersAfterWrite } from '../../services/wake-workers-after-write.ts';

const ASSETS_DIR = fileURLToPath(new URL('./assets/', import.meta.url));
const FORM_LIMIT_BYTES = 16 * 1024;

/** A set of page routes (the portal, the dashboard), added inside the pages' scope. */
export type PageRoutes = (pages: FastifyInstance, ctx: ServiceContext, renderer: PageRenderer) => void | Promise<void>;

/**
 * recur's pages in a scope of their own: styles and scripts served by recur itself under /assets
 * (nothing from a CDN), the shop's colours as /assets/theme.css, cookies, HTML forms, and a strict
 * Content-Security-Policy (no inline script or style; images from recur and the shop's logo).
 */
export async function registerPages(app: FastifyInstance, ctx: ServiceContext, sections: readonly PageRoutes[]): Promise<void> {
  const { pages } = ctx.config.catalogue;
  const renderer = createPageRenderer({ name: shopNameOf(ctx.config), pages });
  const policy = pageContentSecurityPolicy(pages);
  const themeCss = renderThemeCss(pages);
  await app.register(async (scope) => {
    await scope.register(fastifyCookie);
    await scope.register(fastifyStatic, { root: ASSETS_DIR, prefix: '/assets/', decorateReply: false, maxAge: '1h', index: false });
    scope.get('/assets/theme.css', { schema: { hide: true } }, async (_request, reply) => reply.type('text/css; charset=utf-8').header('cache-control', 'public, max-age=3600').send(themeCss));
    scope.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string', bodyLimit: FORM_LIMIT_BYTES }, (_request, body, done) => {
      done(null, Object.fromEntries(new URLSearchParams(String(body))));
    });
    // A form that changed something (a cancel in the portal) may have queued notices and events.
    scope.addHook('onResponse', async (request, reply) => {
      if (request.method === 'POST' && reply.statusCode < 400) wakeWorkersAfterWrite(ctx);
    });
    scope.addHook('onSend', async (_request, reply, payload) => {
      if (String(reply.getHeader('content-type') ?? '').startsWith('text/html')) reply.header('content-security-policy', policy);
      return payload;
    });
    for (const section of sections) await section(scope, ctx, renderer);
  });
}
