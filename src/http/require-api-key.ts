import type { FastifyInstance, FastifyRequest } from 'fastify';
import { authenticateApiKey } from '../services/api-keys/authenticate-api-key.ts';
import type { ServiceContext } from '../services/service-context.ts';
import { sendError } from './error-handler.ts';

declare module 'fastify' {
  interface FastifyRequest {
    /** `api_key:{id}` once the request is authenticated; the audit log's actor. */
    actor: string;
  }
}

const MESSAGES = {
  missing: 'send an admin API key as "Authorization: Bearer <key>" (create one with `recur keys create`)',
  malformed: 'the Authorization header is not "Bearer <key>" with a recur API key',
  unknown: 'the API key is not valid (unknown or revoked)',
} as const;

/** Guards every route registered in `app` (an encapsulated plugin scope such as /v1). */
export function requireApiKey(app: FastifyInstance, ctx: Pick<ServiceContext, 'db' | 'clock'>): void {
  app.decorateRequest('actor', '');
  app.addHook('onRequest', async (request: FastifyRequest, reply) => {
    const result = await authenticateApiKey(ctx, request.headers.authorization);
    if (!result.ok) {
      reply.header('www-authenticate', 'Bearer realm="recur"');
      return sendError(request, reply, { status: 401, code: 'unauthorized', message: MESSAGES[result.reason] });
    }
    request.actor = `api_key:${result.apiKey.id}`;
  });
}
