import type { FastifyInstance, FastifyReply, FastifyRequest, HTTPMethods } from 'fastify';
import { newId } from '../state/ids.ts';
import { checkAcceptedParams, type ParamSpec } from './accepted-params.ts';
import { applyExpand, type ExpandSources } from './expand.ts';
import { requestParams, type Params } from './form-body.ts';
import type { IdempotencyStore } from './idempotency.ts';
import { optionalStringArray } from './params.ts';
import { runInRequest, runOutsideRequest } from './request-context.ts';
import { sendStripeError, StripeApiError, stripeErrors } from './stripe-error.ts';

export type ApiCall = { params: Params; path: Record<string, string>; method: string };
export type ApiHandler = (call: ApiCall) => object;
/** A route and the parameters it accepts; anything else is answered 400 `parameter_unknown` before the handler runs. */
export type DeclaredRoute = { accepts: ParamSpec; handle: ApiHandler };
/** `'POST /customers/:id'` -> route; paths are below /v1. */
export type RouteTable = Record<string, DeclaredRoute>;

/**
 * Pairs each route's handler with its allow-list, declared in the same file: a route without a
 * declaration, or a declaration without a route, fails typecheck.
 */
export function declareRoutes<Route extends string>(accepts: Record<Route, ParamSpec>, handlers: Record<Route, ApiHandler>): RouteTable {
  const table: RouteTable = {};
  for (const route of Object.keys(handlers) as Route[]) table[route] = { accepts: accepts[route], handle: handlers[route] };
  return table;
}

export type ApiDeps = {
  apiKey: () => string;
  idempotency: IdempotencyStore;
  expandSources: ExpandSources;
  now: () => number;
  /** Work that fell due during the request (a SEPA debit settling, a dispute opening) runs after the answer is fixed. */
  afterRequest: () => void;
};

const VERSION_PATTERN = /^\d{4}-\d{2}-\d{2}(\.[a-z]+)?$/;

function bearerKey(request: FastifyRequest): string | null {
  const header = request.headers.authorization;
  if (!header) return null;
  const [scheme, value = ''] = header.split(' ');
  if (scheme?.toLowerCase() === 'bearer') return value.trim();
  if (scheme?.toLowerCase() === 'basic') return Buffer.from(value, 'base64').toString('utf8').split(':')[0] ?? '';
  return '';
}

function redact(key: string): string {
  return key.length <= 12 ? key : `${key.slice(0, 8)}${'*'.repeat(Math.max(0, key.length - 12))}${key.slice(-4)}`;
}

function checkAuth(request: FastifyRequest, apiKey: string): void {
  const key = bearerKey(request);
  if (key === null || key === '') {
    throw stripeErrors.authentication(
      "You did not provide an API key. You need to provide your API key in the Authorization header, using Bearer auth (e.g. 'Authorization: Bearer YOUR_SECRET_KEY'). See https://stripe.com/docs/api#authentication for details, or we can help at https://support.stripe.com/.",
    );
  }
  if (key !== apiKey) throw stripeErrors.authentication(`Invalid API Key provided: ${redact(key)}`);
  const version = request.headers['stripe-version'];
  if (typeof version === 'string' && !VERSION_PATTERN.test(version)) throw stripeErrors.invalidRequest(`Invalid Stripe API version: ${version}`);
}

function sendJson(reply: FastifyReply, status: number, body: string): FastifyReply {
  return reply.status(status).type('application/json').send(body);
}

/** Set on every answer of the Stripe scope (404s and injected faults too), before anything can fail. */
function requestIdOf(reply: FastifyReply): string {
  const existing = reply.getHeader('request-id');
  if (typeof existing === 'string') return existing;
  const requestId = newId('req', 14);
  reply.header('request-id', requestId);
  return requestId;
}

/** Registers the hook that gives each answer its `request-id`; first in the scope, so faults carry one. */
export function registerRequestIds(scope: FastifyInstance): void {
  scope.addHook('onRequest', async (_request, reply) => {
    requestIdOf(reply);
  });
}

async function serve(request: FastifyRequest, reply: FastifyReply, route: DeclaredRoute, deps: ApiDeps): Promise<FastifyReply> {
  const requestId = requestIdOf(reply);
  const keyHeader = request.headers['idempotency-key'];
  const idempotencyKey = typeof keyHeader === 'string' && keyHeader !== '' && request.method !== 'GET' ? keyHeader : null;
  const params = requestParams(request);
  const apiKey = deps.apiKey();
  try {
    checkAuth(request, apiKey);
    const version = request.headers['stripe-version'];
    if (typeof version === 'string') reply.header('stripe-version', version);
    // Before the idempotency key is taken: Stripe keeps no result for a request that failed validation.
    checkAcceptedParams(params, route.accepts);
    if (idempotencyKey) {
      const outcome = deps.idempotency.begin(apiKey, idempotencyKey, request.method, request.url.split('?')[0] ?? '', params, requestId, deps.now());
      if (outcome.kind === 'replay') {
        reply.header('idempotent-replayed', 'true').header('original-request', outcome.originalRequest);
        return sendJson(reply, outcome.status, outcome.body);
      }
      reply.header('idempotency-key', idempotencyKey);
    }
  } catch (error) {
    if (error instanceof StripeApiError) return sendStripeError(reply, error);
    throw error;
  }
  let status = 200;
  let body: string;
  try {
    const result = runInRequest({ requestId, idempotencyKey }, () => route.handle({ params, path: request.params as Record<string, string>, method: request.method }));
    const expand = optionalStringArray(params, 'expand') ?? [];
    body = JSON.stringify(applyExpand(structuredClone(result), expand, deps.expandSources));
  } catch (error) {
    const failure = error instanceof StripeApiError ? error : new StripeApiError(500, { type: 'api_error', message: `Sandbox failure: ${error instanceof Error ? error.message : String(error)}` });
    if (!(error instanceof StripeApiError)) request.log.error(error);
    status = failure.status;
    body = JSON.stringify({ error: failure.body });
    if (status < 500 && status !== 409 && status !== 429) reply.header('stripe-should-retry', 'false');
  } finally {
    runOutsideRequest(deps.afterRequest);
  }
  if (idempotencyKey) deps.idempotency.finish(apiKey, idempotencyKey, status, body);
  return sendJson(reply, status, body);
}

function unrecognizedUrl(request: FastifyRequest, reply: FastifyReply): FastifyReply {
  return sendStripeError(reply, stripeErrors.unrecognizedUrl(request.method, request.url.split('?')[0] ?? ''));
}

/**
 * Stripe's search routes (`GET /v1/customers/search`) are not emulated; without this they would
 * reach `GET /customers/:id` and answer "No such customer: 'search'".
 */
function unimplementedSearchRoutes(tables: readonly RouteTable[]): string[] {
  const routes = tables.flatMap((table) => Object.keys(table));
  return routes
    .filter((route) => /^GET \/[a-z_/]+\/:id$/.test(route))
    .map((route) => route.replace(/:id$/, 'search'))
    .filter((search) => !routes.includes(search));
}

/**
 * `GET /sandbox/stripe/routes`: every emulated route and the parameters it accepts, so a test (or
 * a person) can see what the sandbox refuses without reading its source.
 */
export function registerRouteListing(scope: FastifyInstance, tables: readonly RouteTable[]): void {
  const listing = tables.flatMap((table) => Object.entries(table).map(([route, { accepts }]) => ({ route, accepts })));
  scope.get('/sandbox/stripe/routes', async () => ({ routes: listing }));
}

/** Registers Stripe's API under /v1 with auth, parameter checks, idempotency, expand and Stripe's 404 for unknown URLs. */
export async function registerApi(scope: FastifyInstance, tables: readonly RouteTable[], deps: ApiDeps): Promise<void> {
  await scope.register(
    async (v1) => {
      v1.setNotFoundHandler(unrecognizedUrl);
      for (const table of tables) {
        for (const [key, route] of Object.entries(table)) {
          const [method, url] = key.split(' ') as [HTTPMethods, string];
          v1.route({ method, url, handler: (request, reply) => serve(request, reply, route, deps) });
        }
      }
      for (const search of unimplementedSearchRoutes(tables)) v1.get(search.slice('GET '.length), unrecognizedUrl);
    },
    { prefix: '/v1' },
  );
}
