import type { FastifyInstance, FastifyReply, FastifyRequest, HTTPMethods, RouteOptions } from 'fastify';
import { DEFAULT_API_KEY_SCOPE } from '../domain/api-key-scope.ts';
import { buildDocsApp, type DocumentedRoute } from './docs-app.ts';

// Hop-by-hop or recomputed: the service's own reply sets them.
const NOT_FORWARDED = new Set(['connection', 'content-length', 'date', 'keep-alive', 'transfer-encoding']);

/**
 * The OpenAPI document (/openapi.json, built from the routes' zod schemas) and the docs page
 * (/docs). Installed before the routes, it records each route added after it; the app that
 * serves both is built at the first request for either (docs-app.ts), not at every start.
 */
export function installOpenApi(app: FastifyInstance, version: string): void {
  const routes: DocumentedRoute[] = [];
  let docsApp: Promise<FastifyInstance> | null = null;
  const docs = () => {
    docsApp ??= buildDocsApp(routes, version).catch((error: unknown) => {
      docsApp = null;
      throw error;
    });
    return docsApp;
  };

  app.get('/openapi.json', { schema: { hide: true } }, async () => (await docs()).swagger());
  // The page, its assets and its copy of the document, as the docs app answers them.
  const forward = async (request: FastifyRequest, reply: FastifyReply) => {
    const answer = await (await docs()).inject({ method: request.method as HTTPMethods, url: request.url, headers: request.headers });
    for (const [name, value] of Object.entries(answer.headers)) if (value !== undefined && !NOT_FORWARDED.has(name)) reply.header(name, value);
    return reply.code(answer.statusCode).send(answer.rawPayload);
  };
  app.get('/docs', { schema: { hide: true } }, forward);
  app.get('/docs/*', { schema: { hide: true } }, forward);

  // HEAD routes are Fastify's own copies of the GET routes; the docs app makes them again.
  app.addHook('onRoute', (route) => {
    const methods = ([] as string[]).concat(route.method).filter((method) => method !== 'HEAD');
    if (methods.length > 0) routes.push({ method: methods as HTTPMethods[], url: route.url, schema: withScope(route) });
  });
}

/** The key scope a route needs (`x-recur-scope`), on every route that keeps the document's API-key requirement. */
function withScope(route: RouteOptions): RouteOptions['schema'] {
  if (route.schema && 'security' in route.schema) return route.schema;
  const scope = route.config?.scope ?? DEFAULT_API_KEY_SCOPE;
  if (!route.schema) return { 'x-recur-scope': scope } as RouteOptions['schema'];
  // In place, not a copy: later onRoute hooks (the Idempotency-Key's) add to this same object.
  (route.schema as Record<string, unknown>)['x-recur-scope'] = scope;
  return route.schema;
}
