import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { FastifyInstance } from 'fastify';
import { jsonSchemaTransformObject } from 'fastify-type-provider-zod';
import { documentRoute } from './openapi-transform.ts';
import { DOCS_CONTENT_SECURITY_POLICY } from './security-headers.ts';

/** Registers the OpenAPI document (built from the routes' zod schemas) and the docs page. */
export async function installOpenApi(app: FastifyInstance, version: string): Promise<void> {
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'recur API',
        version,
        description: 'Subscriptions and payments, kept equal to the providers. Every /v1 route needs an admin API key (`recur keys create`).',
      },
      security: [{ adminApiKey: [] }],
      components: {
        securitySchemes: {
          adminApiKey: { type: 'http', scheme: 'bearer', description: 'an admin API key from `recur keys create`' },
          metricsToken: { type: 'http', scheme: 'bearer', description: 'the METRICS_TOKEN setting' },
        },
      },
    },
    transform: documentRoute,
    // Emits the schemas registered with an id (the shared Error) as components the routes refer to.
    transformObject: jsonSchemaTransformObject,
  });
  // Its own policy replaces the page policy on the docs' answers: swagger-ui runs scripts.
  await app.register(swaggerUi, { routePrefix: '/docs', uiConfig: { validatorUrl: null } as Record<string, unknown>, staticCSP: DOCS_CONTENT_SECURITY_POLICY });
  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());
}
