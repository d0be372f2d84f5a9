import type { FastifyInstance, FastifyRequest } from 'fastify';
import { authenticateApiKey } from '../services/api-keys/authenticate-api-key.ts';
import type { ServiceContext } from '../services/service-context.ts';
import { AddressCounter } from './address-counter.ts';
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

const FAILURE_WINDOW_MS = 10 * 60_000;

/**
 * Guards every route registered in `app` (an encapsulated plugin scope such as /v1). An address
 * (as resolved with TRUST_PROXY) that failed API_KEY_FAILURE_LIMIT times in ten minutes is refused
 * with 429 until the window ends, before any key is looked up; requests that authenticate are
 * never counted.
 */
export function requireApiKey(app: FastifyInstance, ctx: Pick<ServiceContext, 'db' | 'clock' | 'config'>): void {
  const limit = ctx.config.API_KEY_FAILURE_LIMIT;
  const failures = limit > 0 ? new AddressCounter(limit, FAILURE_WINDOW_MS) : null;
  app.decorateRequest('actor', '');
  app.addHook('onRequest', async (request: FastifyRequest, reply) => {
    const retryAfter = failures?.retryAfterSeconds(request.ip);
    if (retryAfter) {
      reply.header('retry-after', String(retryAfter));
      return sendError(request, reply, { status: 429, code: 'rate_limited', message: `too many requests with a missing or wrong API key from this address; retry after ${retryAfter} s` });
    }
    const result = await authenticateApiKey(ctx, request.headers.authorization);
    if (!result.ok) {
      failures?.add(request.ip);
      reply.header('www-authenticate', 'Bearer realm="recur"');
      return sendError(request, reply, { status: 401, code: 'unauthorized', message: MESSAGES[result.reason] });
    }
    request.actor = `api_key:${result.apiKey.id}`;
  });
}
