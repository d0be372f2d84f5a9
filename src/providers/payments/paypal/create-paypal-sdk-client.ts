import { AsyncLocalStorage } from 'node:async_hooks';
import { Client, Environment } from '@paypal/paypal-server-sdk';
import type { PaypalHttp, PaypalMethod } from './paypal-http.ts';

/** The parts of an axios request config the SDK's HTTP layer hands its adapter. */
type AdapterConfig = { url?: string; method?: string; headers?: unknown; data?: unknown };

/** Headers the transport sets itself, or that describe the SDK's own connection. */
const TRANSPORT_HEADERS: ReadonlySet<string> = new Set(['authorization', 'paypal-request-id', 'content-length', 'host', 'accept-encoding', 'connection']);

const requestIdOfCall = new AsyncLocalStorage<string>();

/**
 * Runs one SDK call with `requestId` as its PayPal-Request-Id. The SDK takes the id as a parameter
 * only on some operations (create order, capture, refund, create plan and subscription); revise,
 * suspend, activate and cancel get theirs from here.
 */
export function withPaypalRequestId<T>(requestId: string, call: () => Promise<T>): Promise<T> {
  return requestIdOfCall.run(requestId, call);
}

function headerRecord(headers: unknown): Record<string, string> {
  const plain = headers && typeof (headers as { toJSON?: unknown }).toJSON === 'function' ? (headers as { toJSON(): Record<string, unknown> }).toJSON() : (headers as Record<string, unknown> | undefined) ?? {};
  const result: Record<string, string> = {};
  for (const [name, value] of Object.entries(plain)) {
    if (value === undefined || value === null || value === false) continue;
    result[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : String(value);
  }
  return result;
}

/**
 * The official SDK with recur's transport underneath. The SDK has no base-URL setting and its own
 * token handling and retries; its HTTP layer is axios, whose adapter we replace: every request the
 * SDK builds goes out through `PaypalHttp` to recur's API base (PayPal or the sandbox), with the
 * transport's token cache, request budget, retries, timeout and redirect refusal. The SDK's own
 * retries stay off (the transport retries), and its token comes from the transport's cache.
 */
export function createPaypalSdkClient(http: PaypalHttp, mode: 'sandbox' | 'live'): Client {
  const adapter = async (config: AdapterConfig) => {
    const url = new URL(config.url ?? '/', 'https://api-m.paypal.com');
    const sdkHeaders = headerRecord(config.headers);
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(sdkHeaders)) if (!TRANSPORT_HEADERS.has(name)) headers[name] = value;
    const method = (config.method ?? 'get').toUpperCase() as PaypalMethod;
    const requestId = sdkHeaders['paypal-request-id'] ?? requestIdOfCall.getStore();
    const response = await http.exchange({
      method,
      path: `${url.pathname}${url.search}`,
      headers,
      ...(config.data === undefined || config.data === null || config.data === '' ? {} : { body: typeof config.data === 'string' ? config.data : JSON.stringify(config.data) }),
      ...(requestId ? { requestId } : {}),
    });
    return { data: response.text, status: response.status, statusText: '', headers: response.headers, config, request: {} };
  };
  return new Client({
    environment: mode === 'live' ? Environment.Production : Environment.Sandbox,
    timeout: 0,
    clientCredentialsAuthCredentials: {
      // The SDK insists on OAuth settings, but never uses them here: the adapter drops the SDK's
      // Authorization header and the transport authenticates every request from its own cache. A
      // fixed token without expiry keeps the SDK from ever asking for one (a token request of its
      // own would bypass the budget, and a failed one would stay cached inside the SDK for good).
      oAuthClientId: 'unused',
      oAuthClientSecret: 'unused',
      oAuthToken: { accessToken: 'replaced-by-the-transport', tokenType: 'Bearer' },
    },
    httpClientOptions: { timeout: 0, retryConfig: { maxNumberOfRetries: 0 } },
    unstable_httpClientOptions: { adapter },
  });
}
