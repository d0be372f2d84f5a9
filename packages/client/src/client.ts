import createClient, { type Client } from 'openapi-fetch';
import type { paths } from './schema.js';

export type RecurClientOptions = {
  /** Where recur answers, e.g. `https://billing.shop.example` (no `/v1`). */
  baseUrl: string;
  /** An API key from `recur keys create`. */
  apiKey: string;
  /** Another fetch (a proxy's, a test's); the platform's by default. */
  fetch?: (input: Request) => Promise<Response>;
};

export type RecurClient = Client<paths>;

/**
 * recur's API, typed from its OpenAPI document: `recur.GET('/v1/customers/{id}/entitlement',
 * { params: { path: { id } } })` answers `{ data }` (typed by the route) or `{ error }` (recur's
 * `{ error: { code, message, requestId } }`), never throws for an HTTP status.
 */
export function createRecurClient(options: RecurClientOptions): RecurClient {
  return createClient<paths>({
    baseUrl: options.baseUrl.replace(/\/+$/, ''),
    headers: { authorization: `Bearer ${options.apiKey}` },
    ...(options.fetch ? { fetch: options.fetch } : {}),
  });
}
