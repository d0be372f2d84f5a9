import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { derivePaypalRequestId } from '../../src/providers/payments/paypal/derive-paypal-request-id.ts';
import { PaypalApiError } from '../../src/providers/payments/paypal/paypal-api-error.ts';
import { createPaypalHttp, type PaypalHttpOptions } from '../../src/providers/payments/paypal/paypal-http.ts';
import { ManualClock } from '../../src/shared/clock.ts';
import { createRequestBudget, type RequestBudget } from '../../src/shared/request-budget.ts';
import { startPaypalDialectServer, TEST_CLIENT_ID, TEST_CLIENT_SECRET, type PaypalDialectServer } from './paypal-dialect-server.ts';

const subscription = { id: 'I-BW452GLLEP1G', status: 'ACTIVE' };
let server: PaypalDialectServer;
let clock: ManualClock;
let pauses: number[];

function recordingBudget(): RequestBudget {
  const budget = createRequestBudget(1000);
  return {
    take: (lane) => budget.take(lane),
    pauseFor(ms) {
      pauses.push(ms);
      budget.pauseFor(ms);
    },
    perSecond: budget.perSecond,
    get taken() {
      return budget.taken;
    },
  };
}

function client(overrides: Partial<PaypalHttpOptions> = {}) {
  return createPaypalHttp({ apiBase: server.url, clientId: TEST_CLIENT_ID, clientSecret: TEST_CLIENT_SECRET, budget: recordingBudget(), clock, backoffMs: 1, ...overrides });
}

async function failureOf(promise: Promise<unknown>): Promise<PaypalApiError> {
  const error = await promise.then(() => null, (caught: unknown) => caught);
  expect(error).toBeInstanceOf(PaypalApiError);
  return error as PaypalApiError;
}

beforeEach(async () => {
  server = await startPaypalDialectServer({ expiresIn: 3600 });
  server.route('GET /v1/billing/subscriptions/I-BW452GLLEP1G', () => ({ status: 200, body: subscription }));
  server.route('POST /v1/billing/subscriptions/I-BW452GLLEP1G/suspend', () => ({ status: 204 }));
  clock = new ManualClock('2026-06-01T10:00:00Z');
  pauses = [];
});
afterEach(() => server.stop());

describe('PayPal transport: the access token', () => {
  it('is requested once with the client credentials and reused until shortly before it expires, by recur\'s clock', async () => {
    const http = client();
    await Promise.all([http.send({ method: 'GET', path: '/v1/billing/subscriptions/I-BW452GLLEP1G' }), http.send({ method: 'GET', path: '/v1/billing/subscriptions/I-BW452GLLEP1G' })]);
    clock.advance(3600_000 - 5 * 60_000 - 1);
    await http.send({ method: 'GET', path: '/v1/billing/subscriptions/I-BW452GLLEP1G' });
    expect(server.tokenRequests()).toHaveLength(1);
    expect(server.apiRequests().map((request) => request.headers['authorization'])).toEqual(Array(3).fill('Bearer A21AA-test-token-1'));
    clock.advance(1);
    await http.send({ method: 'GET', path: '/v1/billing/subscriptions/I-BW452GLLEP1G' });
    expect(server.tokenRequests()).toHaveLength(2);
    expect(server.apiRequests().at(-1)!.headers['authorization']).toBe('Bearer A21AA-test-token-2');
  });

  it('is renewed once when PayPal answers 401, and the request is sent again with the new one', async () => {
    const http = client();
    await http.send({ method: 'GET', path: '/v1/billing/subscriptions/I-BW452GLLEP1G' });
    server.revokeTokens();
    await expect(http.send({ method: 'GET', path: '/v1/billing/subscriptions/I-BW452GLLEP1G' })).resolves.toEqual(subscription);
    expect(server.tokenRequests()).toHaveLength(2);
    expect(server.apiRequests().map((request) => request.headers['authorization'])).toEqual(['Bearer A21AA-test-token-1', 'Bearer A21AA-test-token-1', 'Bearer A21AA-test-token-2']);
  });

  it('callers refused at once share one renewal', async () => {
    const http = client();
    await http.send({ method: 'GET', path: '/v1/billing/subscriptions/I-BW452GLLEP1G' });
    server.revokeTokens();
    const path = '/v1/billing/subscriptions/I-BW452GLLEP1G';
    await expect(Promise.all([http.send({ method: 'GET', path }), http.send({ method: 'GET', path }), http.send({ method: 'GET', path })])).resolves.toEqual([subscription, subscription, subscription]);
    expect(server.tokenRequests()).toHaveLength(2);
  });

  it('a second 401 goes up as the error, after one renewal only', async () => {
    const http = client();
    const refused = { status: 401, body: { name: 'AUTHENTICATION_FAILURE', message: 'Authentication failed due to invalid authentication credentials or a missing Authorization header.', debug_id: 'd401' } };
    server.script('GET /v1/billing/subscriptions/I-BW452GLLEP1G', refused, refused, refused);
    const error = await failureOf(http.send({ method: 'GET', path: '/v1/billing/subscriptions/I-BW452GLLEP1G' }));
    expect(error).toMatchObject({ httpStatus: 401, paypalName: 'AUTHENTICATION_FAILURE', debugId: 'd401', code: 'provider_failure' });
    expect(server.tokenRequests()).toHaveLength(2);
    expect(server.apiRequests()).toHaveLength(2);
  });

  it('wrong credentials are an error naming PayPal\'s answer, without the secret', async () => {
    const error = await failureOf(client({ clientSecret: 'EFwrong-secret-value' }).send({ method: 'GET', path: '/v1/billing/subscriptions/I-BW452GLLEP1G' }));
    expect(error.message).toBe('PayPal answered 401 while requesting an access token (POST /v1/oauth2/token): invalid_client: Client Authentication failed');
    expect(error.message).not.toContain('EFwrong');
    expect(server.apiRequests()).toHaveLength(0);
  });
});

describe('PayPal transport: requests', () => {
  it('every POST carries the caller\'s PayPal-Request-Id and asks for the full representation', async () => {
    const http = client();
    const requestId = derivePaypalRequestId(['suspend', 'I-BW452GLLEP1G']);
    await expect(http.send({ method: 'POST', path: '/v1/billing/subscriptions/I-BW452GLLEP1G/suspend', body: { reason: 'Payment failed' }, requestId })).resolves.toBeUndefined();
    const [sent] = server.apiRequests();
    expect(sent!.headers).toMatchObject({ 'paypal-request-id': 'recur:suspend:I-BW452GLLEP1G', prefer: 'return=representation', 'content-type': 'application/json' });
    expect(JSON.parse(sent!.body)).toEqual({ reason: 'Payment failed' });
  });

  it('refuses a POST without a PayPal-Request-Id before sending anything', async () => {
    await expect(client().send({ method: 'POST', path: '/v1/billing/subscriptions/I-BW452GLLEP1G/suspend', body: {} })).rejects.toThrow(/needs a PayPal-Request-Id/);
    expect(server.requests).toHaveLength(0);
  });

  it('waits out a 429 by its Retry-After, pausing the whole budget, and sends the request again', async () => {
    server.script('GET /v1/billing/subscriptions/I-BW452GLLEP1G', { status: 429, headers: { 'retry-after': '1' }, body: { name: 'RATE_LIMIT_REACHED', message: 'Too many requests. Blocked due to rate limiting.', debug_id: 'd429' } });
    await expect(client().send({ method: 'GET', path: '/v1/billing/subscriptions/I-BW452GLLEP1G' })).resolves.toEqual(subscription);
    expect(pauses).toEqual([1000]);
    expect(server.apiRequests()).toHaveLength(2);
  });

  it('a 429 asking for longer than a minute goes up at once as provider_rate_limited', async () => {
    server.script('GET /v1/billing/subscriptions/I-BW452GLLEP1G', { status: 429, headers: { 'retry-after': '3600' }, body: { name: 'RATE_LIMIT_REACHED', message: 'Too many requests.', debug_id: 'd429' } });
    const error = await failureOf(client().send({ method: 'GET', path: '/v1/billing/subscriptions/I-BW452GLLEP1G' }));
    expect(error).toMatchObject({ code: 'provider_rate_limited', httpStatus: 429, retryable: true });
    expect(pauses).toEqual([]);
  });

  it('retries a 5xx under the same PayPal-Request-Id, so PayPal acts once', async () => {
    server.script('POST /v1/billing/subscriptions/I-BW452GLLEP1G/suspend', { status: 500, body: { name: 'INTERNAL_SERVER_ERROR', message: 'An internal server error occurred.', debug_id: 'd500' } });
    const requestId = derivePaypalRequestId(['suspend', 'I-BW452GLLEP1G']);
    await client().send({ method: 'POST', path: '/v1/billing/subscriptions/I-BW452GLLEP1G/suspend', body: {}, requestId });
    expect(server.apiRequests().map((request) => [request.headers['paypal-request-id'], request.headers['authorization']])).toEqual([
      [requestId, 'Bearer A21AA-test-token-1'],
      [requestId, 'Bearer A21AA-test-token-1'],
    ]);
  });

  it('gives up after its tries with PayPal\'s error: name, message, issues, debug_id and status', async () => {
    const failing = { status: 503, body: { name: 'SERVICE_UNAVAILABLE', message: 'Service Unavailable.', debug_id: 'd503', details: [{ issue: 'SERVICE_UNAVAILABLE' }] } };
    server.script('GET /v1/billing/subscriptions/I-BW452GLLEP1G', failing, failing, failing);
    const error = await failureOf(client({ maxTries: 3 }).send({ method: 'GET', path: '/v1/billing/subscriptions/I-BW452GLLEP1G' }));
    expect(error).toMatchObject({ httpStatus: 503, paypalName: 'SERVICE_UNAVAILABLE', paypalMessage: 'Service Unavailable.', debugId: 'd503', issues: ['SERVICE_UNAVAILABLE'], code: 'provider_failure', retryable: true });
    expect(server.apiRequests()).toHaveLength(3);
  });

  it('retries a dropped connection, and a request PayPal does not answer within the timeout', async () => {
    server.script('GET /v1/billing/subscriptions/I-BW452GLLEP1G', 'drop-connection', 'hang');
    await expect(client({ timeoutMs: 200 }).send({ method: 'GET', path: '/v1/billing/subscriptions/I-BW452GLLEP1G' })).resolves.toEqual(subscription);
    expect(server.apiRequests()).toHaveLength(3);
  });

  it('a request that never gets an answer fails as a network failure naming the timeout', async () => {
    server.script('GET /v1/billing/subscriptions/I-BW452GLLEP1G', 'hang', 'hang');
    const error = await failureOf(client({ timeoutMs: 100, maxTries: 2 }).send({ method: 'GET', path: '/v1/billing/subscriptions/I-BW452GLLEP1G' }));
    expect(error.message).toBe('PayPal could not be reached while GET /v1/billing/subscriptions/I-BW452GLLEP1G: NETWORK_FAILURE: no answer within the timeout');
  });

  it('does not follow a redirect (it would carry the token elsewhere)', async () => {
    server.script('GET /v1/billing/subscriptions/I-BW452GLLEP1G', { status: 302, headers: { location: `${server.url}/elsewhere` } });
    const error = await failureOf(client().send({ method: 'GET', path: '/v1/billing/subscriptions/I-BW452GLLEP1G' }));
    expect(error.httpStatus).toBe(302);
    expect(server.requests.map((request) => request.path)).not.toContain('/elsewhere');
  });

  it('a refusal is validation_failed with PayPal\'s issues; the message holds neither the token nor the request body', async () => {
    server.script('POST /v1/billing/subscriptions', {
      status: 422,
      body: { name: 'UNPROCESSABLE_ENTITY', message: 'The requested action could not be performed, semantically incorrect, or failed business validation.', debug_id: 'b6f8e2a4c1d93', details: [{ issue: 'SUBSCRIPTION_STATUS_INVALID', description: 'Invalid subscription status for cancel action; subscription status should be active or suspended.' }] },
    });
    const error = await failureOf(client().send({ method: 'POST', path: '/v1/billing/subscriptions?personal=jan@example.nl', body: { custom_id: 'cus_secret_marker' }, requestId: 'recur:create:1' }));
    expect(error).toMatchObject({ code: 'validation_failed', httpStatus: 422, issues: ['SUBSCRIPTION_STATUS_INVALID'], debugId: 'b6f8e2a4c1d93', details: { paypalDebugId: 'b6f8e2a4c1d93' } });
    expect(error.message).toBe(
      'PayPal answered 422 while POST /v1/billing/subscriptions: UNPROCESSABLE_ENTITY: The requested action could not be performed, semantically incorrect, or failed business validation. [SUBSCRIPTION_STATUS_INVALID] (debug_id b6f8e2a4c1d93)',
    );
    expect(JSON.stringify({ ...error, message: error.message })).not.toMatch(/A21AA|cus_secret_marker|jan@example/);
  });

  it('a missing object is recognisable as such', async () => {
    const error = await failureOf(client().send({ method: 'GET', path: '/v1/billing/subscriptions/I-UNKNOWN' }));
    expect(error.isNotFound).toBe(true);
  });

  it('every try, token requests included, waits for the request budget', async () => {
    const budget = createRequestBudget(1000);
    server.script('GET /v1/billing/subscriptions/I-BW452GLLEP1G', { status: 500, body: { name: 'INTERNAL_SERVER_ERROR', message: 'x', debug_id: 'd' } });
    await client({ budget }).send({ method: 'GET', path: '/v1/billing/subscriptions/I-BW452GLLEP1G' });
    expect(budget.taken).toBe(3);
  });
});

describe('derivePaypalRequestId', () => {
  it('names the operation and recur\'s ids when they fit', () => {
    expect(derivePaypalRequestId(['refund', 'pay_01J9Z3'])).toBe('recur:refund:pay_01J9Z3');
  });

  it('hashes long or ambiguous parts, deterministically and within PayPal\'s 108 characters', () => {
    const long = derivePaypalRequestId(['checkout', 'x'.repeat(200)]);
    expect(long).toMatch(/^recur:checkout:[A-Za-z0-9_-]{43}$/);
    expect(long.length).toBeLessThanOrEqual(108);
    expect(derivePaypalRequestId(['checkout', 'x'.repeat(200)])).toBe(long);
    expect(derivePaypalRequestId(['checkout', 'x'.repeat(201)])).not.toBe(long);
    // 'a:b' + 'c' and 'a' + 'b:c' must not share an id.
    expect(derivePaypalRequestId(['op', 'a:b', 'c'])).not.toBe(derivePaypalRequestId(['op', 'a', 'b:c']));
    expect(() => derivePaypalRequestId([])).toThrow(RangeError);
  });
});
