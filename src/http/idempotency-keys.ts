import type { FastifyInstance, FastifyReply, RouteOptions } from 'fastify';
import { z } from 'zod';
import type { StoredAnswer } from '../db/repositories/idempotency-key-repository.ts';
import { claimIdempotencyKeyFor, type IdempotencyClaim } from '../services/idempotency/claim-idempotency-key.ts';
import { fingerprintRequest } from '../services/idempotency/request-fingerprint.ts';
import { settleIdempotencyKey } from '../services/idempotency/settle-idempotency-key.ts';
import type { ServiceContext } from '../services/service-context.ts';
import { sendError } from './error-handler.ts';
import { DOCUMENTED_HEADERS } from './openapi-transform.ts';

declare module 'fastify' {
  interface FastifyRequest {
    /** Set while this request holds its Idempotency-Key; `workKey` keys the provider calls of its work. */
    idempotency: IdempotencyClaim | null;
  }
  interface FastifyContextConfig {
    /** The answer shows a secret once (a new API key): it is never kept, so the route takes no Idempotency-Key. */
    answerHoldsSecret?: boolean;
  }
}

const HEADER = 'idempotency-key';
const REPLAYED = 'idempotent-replayed';
const KEY_FORMAT = /^[\x20-\x7E]{1,255}$/;
/** What of an answer's headers a replay repeats; the rest (request id, security headers) is the replay's own. */
const KEPT_HEADERS = ['content-type', 'location'] as const;
const METHODS = new Set(['POST']);

const idempotencyHeaders = z.object({
  'idempotency-key': z
    .string()
    .min(1)
    .max(255)
    .optional()
    .describe(
      'Optional, 1–255 printable ASCII characters, per API key. The first answer (any status below 500) is kept for IDEMPOTENCY_KEY_TTL_HOURS (24 h) and a retry with the same key and the same request gets it again, with `Idempotent-Replayed: true`, without the work being done again. The same key with another method, path or body: 422 idempotency_key_reused; while the first request is still at work: 409 idempotency_key_in_use with Retry-After.',
    )
    .meta({ example: '3f6c1d2e-checkout-shop-1042' }),
});

/**
 * Idempotency keys on every POST of the scope it is installed in (/v1), for the routes there now
 * and those added later: `Idempotency-Key`, as in Stripe's API. Runs after authentication (keys
 * belong to an API key) and before validation, so a refused request's answer is kept too; an
 * answer is kept in `onSend`, before the client can see it, so a retry never finds it missing.
 */
export function installIdempotencyKeys(app: FastifyInstance, ctx: Pick<ServiceContext, 'db' | 'clock' | 'config'>): void {
  app.decorateRequest('idempotency', null);
  app.addHook('onRoute', documentIdempotencyKey);

  app.addHook('preValidation', async (request, reply) => {
    const key = request.headers[HEADER];
    if (key === undefined || !METHODS.has(request.method)) return;
    if (typeof key !== 'string' || !KEY_FORMAT.test(key)) {
      return sendError(request, reply, { status: 400, code: 'validation_failed', message: 'headers.idempotency-key: expected 1 to 255 printable ASCII characters' });
    }
    if (request.routeOptions.config.answerHoldsSecret) {
      return sendError(request, reply, { status: 400, code: 'validation_failed', message: `headers.idempotency-key: ${request.method} ${request.routeOptions.url} answers a secret shown once, which is never kept for a replay; send it without an Idempotency-Key` });
    }
    const outcome = await claimIdempotencyKeyFor(ctx, { apiKeyId: request.apiKeyId, key }, fingerprintRequest({ method: request.method, url: request.url, body: request.body }));
    switch (outcome.kind) {
      case 'claimed':
        request.idempotency = outcome.claim;
        return;
      case 'replay':
        return replay(reply, outcome.answer);
      case 'in_use':
        reply.header('retry-after', String(outcome.retryAfterSeconds));
        return sendError(request, reply, { status: 409, code: 'idempotency_key_in_use', message: 'a request with this Idempotency-Key is still at work; retry when it is done to get its answer' });
      case 'reused':
        return sendError(request, reply, { status: 422, code: 'idempotency_key_reused', message: 'this Idempotency-Key was used for another request (method, path or body); use a new key for a new request' });
    }
  });

  app.addHook('onSend', async (request, reply, payload) => {
    const claim = request.idempotency;
    if (!claim) return payload;
    request.idempotency = null;
    try {
      const answer = keptAnswer(reply, payload);
      // An answer that cannot be kept (a stream) lets the key go, as a 5xx does.
      const settled = await settleIdempotencyKey(ctx, claim, answer ?? { status: 500, headers: {}, body: null });
      if (settled === 'lost') request.log.warn('the Idempotency-Key lease lapsed before the answer; the request that took it over answers retries');
    } catch (error) {
      // The client still gets its answer; a retry gets 409 until the lease lapses, then does the work again.
      request.log.error({ err: error }, 'the answer could not be kept for its Idempotency-Key');
    }
    return payload;
  });
}

function keptAnswer(reply: FastifyReply, payload: unknown): StoredAnswer | null {
  let body: string | null;
  if (payload === undefined || payload === null) body = null;
  else if (typeof payload === 'string') body = payload;
  else if (Buffer.isBuffer(payload)) body = payload.toString('utf8');
  else return null;
  const headers: Record<string, string> = {};
  for (const name of KEPT_HEADERS) {
    const value = reply.getHeader(name);
    if (value !== undefined) headers[name] = String(value);
  }
  return { status: reply.statusCode, headers, body };
}

function replay(reply: FastifyReply, answer: StoredAnswer): FastifyReply {
  reply.status(answer.status).headers(answer.headers).header(REPLAYED, 'true');
  return answer.body === null ? reply.send() : reply.send(answer.body);
}

function documentIdempotencyKey(route: RouteOptions): void {
  const methods = ([] as string[]).concat(route.method);
  if (!methods.some((method) => METHODS.has(method)) || !route.schema || route.config?.answerHoldsSecret) return;
  // In place: the OpenAPI recorder holds this very object (it saw the route first).
  (route.schema as Record<string, unknown>)[DOCUMENTED_HEADERS] = idempotencyHeaders;
}

