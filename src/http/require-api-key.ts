import type { FastifyInstance, FastifyRequest } from 'fastify';
import { authenticateApiKey } from '../services/api-keys/authenticate-api-key.ts';
import type { ServiceContext } from '../services/service-context.ts';
import { AddressCounter } from './address-counter.ts';
import { ApiKeyRateLimiter, limitRequestRate } from './api-key-rate-limiter.ts';
import { sendError } from './error-handler.ts';
import { refuseOutOfScope } from './route-scope.ts';

declare module 'fastify' {
  interface FastifyRequest {
    /** `api_key:{id}` once the request is authenticated; the audit log's actor. */
    actor: string;
    /** The authenticated API key's id (what its Idempotency-Keys belong to). */
    apiKeyId: string;
  }
}

const MESSAGES = {
  missing: 'send an API key as "Authorization: Bearer <key>" (create one with `recur keys create`)',
  malformed: 'the Authorization header is not "Bearer <key>" with a recur API key',
  unknown: 'the API key is not valid (unknown or revoked)',
} as const;

const FAILURE_WINDOW_MS = 10 * 60_000;

/**
 * Guards every route registered in `app` (an encapsulated plugin scope such as /v1). An address
 * (as resolved with TRUST_PROXY) that failed API_KEY_FAILURE_LIMIT times in ten minutes is refused
 * with 429 until the window ends, before any key is looked up; requests that authenticate are
 * never counted. An authenticated request is then counted against its key's rate limit
 * (API_RATE_LIMIT_PER_SECOND, API_RATE_LIMIT_BURST) and checked against the scope its route needs
 * (route-scope.ts). Both use what the key cache holds: neither adds a database query.
 */
export function requireApiKey(app: FastifyInstance, ctx: Pick<ServiceContext, 'db' | 'clock' | 'config'>): void {
  const limit = ctx.config.API_KEY_FAILURE_LIMIT;
  const failures = limit > 0 ? new AddressCounter(limit, FAILURE_WINDOW_MS) : null;
  const { API_RATE_LIMIT_PER_SECOND: perSecond, API_RATE_LIMIT_BURST: burst } = ctx.config;
  const rates = perSecond > 0 ? new ApiKeyRateLimiter(perSecond, burst) : null;
  app.decorateRequest('actor', '');
  app.decorateRequest('apiKeyId', '');
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
    request.apiKeyId = result.apiKey.id;
    // The rate first: a runaway loop of refused requests is still a runaway loop.
    if (rates && limitRequestRate(request, reply, rates, result.apiKey.id)) return reply;
    if (refuseOutOfScope(request, reply, result.apiKey.scope)) return reply;
  });
}
