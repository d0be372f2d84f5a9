import type { Clock } from '../../../shared/clock.ts';
import { realTimer, type RateTimer, type RequestBudget } from '../../../shared/request-budget.ts';
import { PaypalApiError, parsePaypalErrorBody } from './paypal-api-error.ts';
import { createPaypalTokenCache, type PaypalTokenCache } from './paypal-token-cache.ts';

export type PaypalMethod = 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';

export type PaypalRequest = {
  method: PaypalMethod;
  /** Path and query below the API base, e.g. `/v1/billing/subscriptions/I-123?fields=plan`. */
  path: string;
  /** JSON text (already serialized) or a value to serialize. */
  body?: unknown;
  /** Required on POST: the operation's deterministic id (`derivePaypalRequestId`). */
  requestId?: string;
  /** Other headers PayPal defines (Content-Type, Prefer); Authorization is always the transport's own. */
  headers?: Record<string, string>;
};

export type PaypalResponse = { status: number; headers: Record<string, string>; text: string };

export type PaypalHttp = {
  /** Sends one request (token, budget, retries) and answers PayPal's last response, whatever its status. */
  exchange(request: PaypalRequest): Promise<PaypalResponse>;
  /** `exchange`, with a non-2xx answer thrown as a PaypalApiError and the body parsed as JSON (undefined when empty). */
  send<T>(request: PaypalRequest): Promise<T>;
  /** A valid access token from the cache (for the SDK's own bookkeeping; requests get theirs from the transport). */
  accessToken(): Promise<string>;
};

export type PaypalHttpOptions = {
  apiBase: string;
  clientId: string;
  clientSecret: string;
  /** The process's one budget of requests to PayPal (PAYPAL_MAX_REQUESTS_PER_SECOND); every try waits for it, token requests too. */
  budget: RequestBudget;
  /** recur's clock: measures the token's lifetime. */
  clock: Clock;
  /** Real elapsed time for backoff waits (never recur's clock, which may stand still or jump). */
  timer?: RateTimer;
  fetch?: typeof fetch;
  timeoutMs?: number;
  /** Tries of one request (the first included) before its failure goes up. */
  maxTries?: number;
  /** First backoff after a 5xx or a network error; doubled each try, with jitter. */
  backoffMs?: number;
};

const DEFAULT_TIMEOUT_MS = 20_000;
const DEFAULT_TRIES = 4;
const DEFAULT_BACKOFF_MS = 500;
/** A 429 without Retry-After: back off about a second. */
const DEFAULT_RATE_LIMIT_WAIT_MS = 1000;
/** A Retry-After beyond this is not waited for here: the caller's own retry (the inbox's backoff) takes over. */
const LONGEST_WAIT_MS = 60_000;

/**
 * recur's one way to PayPal's REST API: an OAuth2 client-credentials token cached by recur's clock
 * (refreshed once on a 401), every try through the process's request budget, 429 waited out by its
 * Retry-After (pausing every caller: PayPal limits per app), 5xx and network errors retried with
 * backoff under the same PayPal-Request-Id (so a retried POST acts once), a 20 s timeout per try,
 * and redirects refused (a PayPal API never redirects; following one would send the token elsewhere).
 */
export function createPaypalHttp(options: PaypalHttpOptions): PaypalHttp {
  const base = options.apiBase.replace(/\/+$/, '');
  const fetchImpl = options.fetch ?? fetch;
  const timer = options.timer ?? realTimer;
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const maxTries = options.maxTries ?? DEFAULT_TRIES;
  const backoffMs = options.backoffMs ?? DEFAULT_BACKOFF_MS;

  /** One try: budget, then fetch with a timeout; a network failure or timeout is thrown. */
  const fetchOnce = async (method: PaypalMethod, path: string, headers: Record<string, string>, body: string | undefined): Promise<PaypalResponse> => {
    await options.budget.take();
    const response = await fetchImpl(`${base}${path}`, { method, headers, body, redirect: 'manual', signal: AbortSignal.timeout(timeoutMs) });
    const text = await response.text();
    return { status: response.status, headers: Object.fromEntries(response.headers), text };
  };

  /** Tries until a final answer: 2xx/4xx at once, 429/5xx/network failures again after a wait. */
  const withRetries = async (doing: string, attempt: () => Promise<PaypalResponse>): Promise<PaypalResponse> => {
    for (let tryNumber = 1; ; tryNumber++) {
      let response: PaypalResponse;
      try {
        response = await attempt();
      } catch (error) {
        if (tryNumber >= maxTries) throw describeNetworkFailure(error, doing);
        await timer.sleep(backoff(backoffMs, tryNumber));
        continue;
      }
      if (response.status >= 300 && response.status < 400) return response;
      if (tryNumber >= maxTries) return response;
      if (response.status === 429) {
        const waitMs = retryAfterMs(response.headers['retry-after'], options.clock);
        if (waitMs > LONGEST_WAIT_MS) return response;
        options.budget.pauseFor(waitMs);
        continue;
      }
      if (response.status >= 500) {
        await timer.sleep(backoff(backoffMs, tryNumber));
        continue;
      }
      return response;
    }
  };

  const tokens: PaypalTokenCache = createPaypalTokenCache({
    clock: options.clock,
    requestToken: async () => {
      const basic = Buffer.from(`${options.clientId}:${options.clientSecret}`).toString('base64');
      const headers = { authorization: `Basic ${basic}`, 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' };
      const doing = 'requesting an access token (POST /v1/oauth2/token)';
      const response = await withRetries(doing, () => fetchOnce('POST', '/v1/oauth2/token', headers, 'grant_type=client_credentials'));
      if (response.status !== 200) throw new PaypalApiError(doing, response.status, parsePaypalErrorBody(response.text));
      return parseTokenResponse(response.text, doing);
    },
  });

  const exchange = async (request: PaypalRequest): Promise<PaypalResponse> => {
    const doing = describe(request);
    if (request.method === 'POST' && !request.requestId) throw new TypeError(`${doing}: a POST to PayPal needs a PayPal-Request-Id (derivePaypalRequestId)`);
    const body = request.body === undefined ? undefined : typeof request.body === 'string' ? request.body : JSON.stringify(request.body);
    const headersWith = (token: string): Record<string, string> => ({
      accept: 'application/json',
      ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
      ...(request.method === 'GET' ? {} : { prefer: 'return=representation' }),
      ...lowerCaseKeys(request.headers ?? {}),
      ...(request.requestId ? { 'paypal-request-id': request.requestId } : {}),
      authorization: `Bearer ${token}`,
    });
    let token = await tokens.get();
    let response = await withRetries(doing, () => fetchOnce(request.method, request.path, headersWith(token), body));
    if (response.status === 401) {
      // PayPal revoked or expired the token before our clock said so: one new token, one more try.
      token = await tokens.refresh(token);
      response = await withRetries(doing, () => fetchOnce(request.method, request.path, headersWith(token), body));
    }
    return response;
  };

  return {
    exchange,
    async send<T>(request: PaypalRequest): Promise<T> {
      const response = await exchange(request);
      if (response.status < 200 || response.status >= 300) throw new PaypalApiError(describe(request), response.status, parsePaypalErrorBody(response.text));
      if (response.text.trim() === '') return undefined as T;
      try {
        return JSON.parse(response.text) as T;
      } catch (error) {
        throw new PaypalApiError(`${describe(request)} (the answer was not JSON)`, response.status, null, { cause: error });
      }
    },
    accessToken: () => tokens.get(),
  };
}

/** Method and path without the query (which may hold e-mail addresses or other personal data). */
function describe(request: PaypalRequest): string {
  return `${request.method} ${request.path.split('?')[0]}`;
}

function lowerCaseKeys(headers: Record<string, string>): Record<string, string> {
  const result: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    const lower = name.toLowerCase();
    if (lower !== 'authorization' && lower !== 'paypal-request-id') result[lower] = value;
  }
  return result;
}

function backoff(baseMs: number, tryNumber: number): number {
  const exponential = baseMs * 2 ** (tryNumber - 1);
  return exponential / 2 + Math.random() * (exponential / 2);
}

function retryAfterMs(header: string | undefined, clock: Clock): number {
  if (header === undefined || header.trim() === '') return DEFAULT_RATE_LIMIT_WAIT_MS;
  const seconds = Number(header);
  if (Number.isFinite(seconds) && seconds >= 0) return Math.max(seconds * 1000, 100);
  const date = Date.parse(header);
  return Number.isNaN(date) ? DEFAULT_RATE_LIMIT_WAIT_MS : Math.max(date - clock.now().getTime(), 100);
}

/** No answer at all (refused, reset, timed out): PayPal's error shape with status 0, the cause kept for the log. */
function describeNetworkFailure(error: unknown, doing: string): PaypalApiError {
  // undici says only "fetch failed"; the system's code (ECONNREFUSED, ECONNRESET, ...) is in its cause.
  const code = (error as { cause?: { code?: unknown } } | null)?.cause?.code;
  const reason = error instanceof Error && error.name === 'TimeoutError' ? 'no answer within the timeout' : `${error instanceof Error ? error.message : String(error)}${typeof code === 'string' ? ` (${code})` : ''}`;
  return new PaypalApiError(doing, 0, { name: 'NETWORK_FAILURE', message: reason }, { cause: error });
}

function parseTokenResponse(text: string, doing: string): { accessToken: string; expiresInSeconds: number } {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new PaypalApiError(`${doing} (the answer was not JSON)`, 200, null, { cause: error });
  }
  const record = (json ?? {}) as Record<string, unknown>;
  const accessToken = record['access_token'];
  const expiresIn = record['expires_in'];
  if (typeof accessToken !== 'string' || accessToken === '' || typeof expiresIn !== 'number' || !(expiresIn > 0)) {
    throw new PaypalApiError(`${doing} (the answer had no access_token and expires_in)`, 200, null);
  }
  return { accessToken, expiresInSeconds: expiresIn };
}
