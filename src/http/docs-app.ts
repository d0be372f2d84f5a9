import Fastify, { type FastifyInstance, type RouteOptions } from 'fastify';
import { jsonSchemaTransformObject, serializerCompiler, validatorCompiler } from 'fastify-type-provider-zod';
import { documentRoute } from './openapi-transform.ts';
import { DOCS_CONTENT_SECURITY_POLICY } from './security-headers.ts';

/** What the OpenAPI document needs of a route of the service: where it is and its schema. */
export type DocumentedRoute = Pick<RouteOptions, 'method' | 'url' | 'schema'>;

/**
 * An HTTP app of its own that holds the OpenAPI document and the docs page (swagger-ui), built at
 * the first request for either: `@fastify/swagger` and `@fastify/swagger-ui` (with `yaml` and
 * `@fastify/static`) cost each start ~0.1 s of CPU to load and register (docs/adr/0012). It
 * documents the service's routes by adding them again, with the same schemas and compilers, and
 * handlers that are never called.
 */
export async function buildDocsApp(routes: readonly DocumentedRoute[], version: string): Promise<FastifyInstance> {
  const [{ default: swagger }, { default: swaggerUi }] = await Promise.all([import('@fastify/swagger'), import('@fastify/swagger-ui')]);
  const docs = Fastify({ logger: false });
  docs.setValidatorCompiler(validatorCompiler);
  docs.setSerializerCompiler(serializerCompiler);
  await docs.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'recur API',
        version,
        description:
          'Subscriptions and payments, kept equal to the providers. Every /v1 route needs an API key (`recur keys create`); `x-recur-scope` says which: a read key (`--scope read`) may call only the routes marked read, an admin key every route. Each key is rate-limited (RateLimit-* headers; 429 with Retry-After).',
      },
      security: [{ adminApiKey: [] }],
      components: {
        securitySchemes: {
          adminApiKey: { type: 'http', scheme: 'bearer', description: 'an API key from `recur keys create` (admin, or read for the routes marked x-recur-scope: read)' },
          metricsToken: { type: 'http', scheme: 'bearer', description: 'the METRICS_TOKEN setting' },
        },
      },
    },
    transform: documentRoute,
    // Emits the schemas registered with an id (the shared Error) as components the routes refer to.
    transformObject: jsonSchemaTransformObject,
  });
  // Its own policy replaces the page policy on the docs' answers: swagger-ui runs scripts.
  await docs.register(swaggerUi, { routePrefix: '/docs', uiConfig: { validatorUrl: null } as Record<string, unknown>, staticCSP: DOCS_CONTENT_SECURITY_POLICY });
  for (const route of routes) docs.route({ ...route, handler: async () => null });
  await docs.ready();
  return docs;
}
