import type { FastifyReply, FastifyRequest } from 'fastify';
import { DEFAULT_API_KEY_SCOPE, scopeAllows, type ApiKeyScope } from '../domain/api-key-scope.ts';
import { sendError } from './error-handler.ts';

declare module 'fastify' {
  interface FastifyContextConfig {
    /**
     * The scope an API key needs for this route, declared where the route is registered. Unset
     * means admin: a route added later is admin-only unless it says otherwise.
     */
    scope?: ApiKeyScope;
  }
}

/** A route's options for what a read-scoped key may call (reads a shop's frontend servers need). */
export const READ_SCOPE = { scope: 'read' } as const satisfies { scope: ApiKeyScope };

export const scopeNeededBy = (request: FastifyRequest): ApiKeyScope => request.routeOptions.config.scope ?? DEFAULT_API_KEY_SCOPE;

/**
 * Answers 403 when the key's scope does not cover the route; null when it does. Checked in the
 * request's first hook, before the body is read or validated: a read key learns nothing about a
 * write route but that it may not call it.
 */
export function refuseOutOfScope(request: FastifyRequest, reply: FastifyReply, granted: ApiKeyScope): FastifyReply | null {
  const needed = scopeNeededBy(request);
  if (scopeAllows(granted, needed)) return null;
  return sendError(request, reply, {
    status: 403,
    code: 'insufficient_scope',
    message: `this route needs an API key with the ${needed} scope; this key has the ${granted} scope (create one with \`recur keys create --scope ${needed}\`)`,
  });
}
